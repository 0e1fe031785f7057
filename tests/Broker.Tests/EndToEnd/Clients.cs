using System.Text.Json;
using System.Text.Json.Nodes;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>A record to produce. Null key or value means a null on the wire.</summary>
public sealed record OutRecord(string? Key, string? Value, (string Key, string? Value)[]? Headers = null, long? Timestamp = null, int? Partition = null);

/// <summary>What a producer's delivery report said about one record.</summary>
public sealed record Delivery(int Partition, long Offset, string? Key, string? Value);

/// <summary>One record as a consumer handed it to the application.</summary>
public sealed record ConsumedRecord(int Partition, long Offset, string? Key, string? Value, (string Key, string? Value)[] Headers, long Timestamp);

/// <summary>
/// Where the third-party clients are and how to run them. The scripts are read from the source
/// tree (tests/Broker.Tests/EndToEnd/clients), kafkajs from tests/clients/node_modules.
/// </summary>
public static class Clients
{
    /// <summary>The system interpreter: python3-confluent-kafka is an apt package, invisible to a pyenv python.</summary>
    public const string Python = "/usr/bin/python3";

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ScriptDirectory => Path.Combine(RepoRoot, "tests", "Broker.Tests", "EndToEnd", "clients");

    public static string NodeModules => Path.Combine(RepoRoot, "tests", "clients", "node_modules");

    /// <summary>Runs kcat against <paramref name="broker"/> and fails the test, with both sides' output, on a non-zero exit.</summary>
    public static async Task<ClientResult> KcatAsync(E2EBroker broker, string? stdin, params string[] args) =>
        Succeeded(await ClientProcess.RunAsync("kcat", ["-b", broker.Bootstrap, .. args], stdin), broker);

    public static ClientResult Succeeded(ClientResult result, E2EBroker broker) =>
        result.ExitCode == 0 ? result : throw new Xunit.Sdk.XunitException($"{result}\nbroker:\n{broker.Logs}");

    public static string ToJsonLines(IEnumerable<OutRecord> records) => string.Concat(records.Select(r =>
    {
        var json = new JsonObject { ["key"] = r.Key, ["value"] = r.Value };
        if (r.Headers is not null)
            json["headers"] = new JsonArray([.. r.Headers.Select(h => (JsonNode)new JsonArray(h.Key, h.Value))]);
        if (r.Timestamp is not null)
            json["timestamp"] = r.Timestamp;
        if (r.Partition is not null)
            json["partition"] = r.Partition;
        return json.ToJsonString() + "\n";
    }));

    /// <summary>Delivery reports put back in input order by the <c>index</c> the scripts print.</summary>
    public static List<Delivery> ParseDeliveries(ClientResult result) => result.Lines.Select(line =>
    {
        var json = JsonNode.Parse(line)!;
        if (json["error"] is { } error && error.GetValueKind() != JsonValueKind.Null)
            throw new Xunit.Sdk.XunitException($"Delivery failed: {line}\n{result}");
        return (Index: (int)json["index"]!, Delivery: new Delivery((int)json["partition"]!, (long)json["offset"]!, (string?)json["key"], (string?)json["value"]));
    }).OrderBy(d => d.Index).Select(d => d.Delivery).ToList();

    /// <summary>Records as the scripts print them: <c>{"partition","offset","key","value","headers":[[k,v]],"timestamp"}</c>.</summary>
    public static List<ConsumedRecord> ParseConsumed(ClientResult result) => result.Lines.Select(line =>
    {
        var json = JsonNode.Parse(line)!;
        var headers = json["headers"] is JsonArray pairs
            ? pairs.Select(p => ((string)p![0]!, (string?)p[1])).ToArray()
            : [];
        return new ConsumedRecord((int)json["partition"]!, (long)json["offset"]!, (string?)json["key"], (string?)json["value"], headers, (long)json["timestamp"]!);
    }).ToList();

    /// <summary>kcat's <c>-J</c> envelope: headers come as a flat [name, value, name, value, ...] array.</summary>
    public static List<ConsumedRecord> ParseKcatJson(ClientResult result) => result.Lines.Select(line =>
    {
        var json = JsonNode.Parse(line)!;
        var flat = json["headers"] as JsonArray ?? [];
        var headers = Enumerable.Range(0, flat.Count / 2).Select(i => ((string)flat[2 * i]!, (string?)flat[2 * i + 1])).ToArray();
        return new ConsumedRecord((int)json["partition"]!, (long)json["offset"]!, (string?)json["key"], (string?)json["payload"], headers, (long)json["ts"]!);
    }).ToList();

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "tests", "Broker.Tests", "EndToEnd", "clients")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException($"No tests/Broker.Tests/EndToEnd/clients above {AppContext.BaseDirectory}.");
    }
}

/// <summary>
/// A client driven through one of the scripts in <c>clients/</c>, which share one command line:
/// <c>produce</c> (JSON lines in, delivery reports out), <c>consume</c> (everything from the
/// beginning to the end of every partition) and an offsets-by-timestamp lookup.
/// </summary>
public sealed class ScriptedClient
{
    public static readonly ScriptedClient ConfluentKafka = new(
        "confluent-kafka", Clients.Python, "confluent_client.py", "offsets-for-times", [], new Dictionary<string, string>());

    // NODE_PATH lets a script outside tests/clients resolve the kafkajs that directory pins.
    public static readonly ScriptedClient KafkaJs = new(
        "kafkajs", "node", "kafkajs_client.js", "offsets-by-timestamp", ["--each"],
        new Dictionary<string, string> { ["NODE_PATH"] = Clients.NodeModules });

    /// <summary>
    /// Sarama (Debian's golang-github-shopify-sarama-dev) told the broker is <paramref name="kafkaVersion"/>
    /// (sarama.Config.Version), which picks the request versions it sends.
    /// </summary>
    public static ScriptedClient Sarama(string kafkaVersion) => new(
        $"sarama-{kafkaVersion}", SaramaBuild.BinaryPath, null, "", [], new Dictionary<string, string>(),
        ["--version", kafkaVersion], SaramaBuild.EnsureBuiltAsync);

    private readonly string _interpreter;
    private readonly string? _script;
    private readonly string _offsetsCommand;
    private readonly string[] _oneRequestPerRecord;
    private readonly Dictionary<string, string> _environment;
    private readonly string[] _fixedArgs;
    private readonly Func<Task>? _prepare;

    /// <param name="script">Null when <paramref name="interpreter"/> is the client program itself.</param>
    /// <param name="prepare">Run before each use, e.g. to build the program once per test run.</param>
    private ScriptedClient(string name, string interpreter, string? script, string offsetsCommand, string[] oneRequestPerRecord,
        Dictionary<string, string> environment, string[]? fixedArgs = null, Func<Task>? prepare = null)
    {
        Name = name;
        _interpreter = interpreter;
        _script = script;
        _offsetsCommand = offsetsCommand;
        _oneRequestPerRecord = oneRequestPerRecord;
        _environment = environment;
        _fixedArgs = fixedArgs ?? [];
        _prepare = prepare;
    }

    public string Name { get; }

    public async Task<ClientResult> RunAsync(E2EBroker broker, string command, string topic, string? stdin, params string[] args)
    {
        if (_prepare is not null)
            await _prepare();
        return await ClientProcess.RunAsync(_interpreter, Arguments(broker, command, topic, args), stdin, environment: _environment);
    }

    public ClientProcess Start(E2EBroker broker, string command, string topic, params string[] args) =>
        ClientProcess.Start(_interpreter, Arguments(broker, command, topic, args), _environment);

    private string[] Arguments(E2EBroker broker, string command, string topic, string[] args) =>
        [.. _script is null ? [] : new[] { Path.Combine(Clients.ScriptDirectory, _script) },
            command, "--bootstrap", broker.Bootstrap, "--topic", topic, .. _fixedArgs, .. args];

    /// <summary>
    /// Produces and returns the delivery reports in input order. <paramref name="eachOnItsOwn"/> makes
    /// kafkajs send one request per record; librdkafka batches per partition either way.
    /// </summary>
    public async Task<List<Delivery>> ProduceAsync(E2EBroker broker, string topic, IEnumerable<OutRecord> records, string codec = "none", bool eachOnItsOwn = false)
    {
        string[] args = ["--codec", codec, .. eachOnItsOwn ? _oneRequestPerRecord : []];
        var result = Clients.Succeeded(await RunAsync(broker, "produce", topic, Clients.ToJsonLines(records), args), broker);
        return Clients.ParseDeliveries(result);
    }

    public async Task<List<ConsumedRecord>> ConsumeAsync(E2EBroker broker, string topic) =>
        Clients.ParseConsumed(Clients.Succeeded(await RunAsync(broker, "consume", topic, null), broker));

    /// <summary>Partition → the first offset at or after <paramref name="timestamp"/> (-1 when there is none).</summary>
    public async Task<Dictionary<int, long>> OffsetsForTimestampAsync(E2EBroker broker, string topic, long timestamp)
    {
        var result = Clients.Succeeded(await RunAsync(broker, _offsetsCommand, topic, null, "--timestamp", timestamp.ToString()), broker);
        return result.Lines.Select(l => JsonNode.Parse(l)!).ToDictionary(j => (int)j["partition"]!, j => (long)j["offset"]!);
    }

    public override string ToString() => Name;
}
