using System.Text.Json.Nodes;
using Broker.Broker.Tests.EndToEnd;

namespace Broker.Broker.Tests.Cluster;

/// <summary>
/// A long-running client of the group fault test that prints JSON lines until a line on stdin stops
/// it: a group member (confluent-kafka's <c>replication_driver.py group-member</c> or kafkajs's
/// <c>group_member.js</c>) or the committed-offsets watcher (<c>replication_driver.py committed</c>).
/// </summary>
public sealed class GroupClient : IDisposable
{
    private static string ScriptDir => Path.Combine(Clients.RepoRoot, "tests", "Broker.Tests", "Cluster", "clients");

    private readonly ClientProcess _process;
    private readonly List<JsonObject> _parsed = [];

    private GroupClient(string name, ClientProcess process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public static GroupClient ConfluentMember(string bootstrap, string topic, string group) =>
        new("confluent-kafka member", ClientProcess.Start(Clients.Python,
            [Path.Combine(ScriptDir, "replication_driver.py"), "group-member", "--bootstrap", bootstrap, "--topic", topic, "--group", group]));

    public static GroupClient KafkaJsMember(string bootstrap, string topic, string group) =>
        new("kafkajs member", ClientProcess.Start("node",
            [Path.Combine(ScriptDir, "group_member.js"), "--bootstrap", bootstrap, "--topic", topic, "--group", group],
            new Dictionary<string, string> { ["NODE_PATH"] = Clients.NodeModules }));

    public static GroupClient CommittedWatcher(string bootstrap, string topic, string group, int partitions) =>
        new("committed-offsets watcher", ClientProcess.Start(Clients.Python,
            [Path.Combine(ScriptDir, "replication_driver.py"), "committed", "--bootstrap", bootstrap, "--topic", topic, "--group", group,
             "--partitions", partitions.ToString()]));

    /// <summary>What it printed so far; lines are parsed once, as they are asked for.</summary>
    public IReadOnlyList<JsonObject> Lines
    {
        get
        {
            lock (_parsed)
            {
                var lines = _process.Lines;
                for (var i = _parsed.Count; i < lines.Count; i++)
                    _parsed.Add(JsonNode.Parse(lines[i])!.AsObject());
                return _parsed.ToArray();
            }
        }
    }

    /// <summary>Records a member consumed, as (partition, offset).</summary>
    public IEnumerable<(int Partition, long Offset)> Consumed =>
        Lines.Where(j => j.ContainsKey("o")).Select(j => ((int)j["p"]!, (long)j["o"]!));

    /// <summary>The watcher's answers: when, and the committed offset of each partition (-1001: none).</summary>
    public IEnumerable<(long AtMs, long[] Offsets)> CommittedSamples =>
        Lines.Where(j => j.ContainsKey("offsets")).Select(j => ((long)j["t"]!, j["offsets"]!.AsArray().Select(o => (long)o!).ToArray()));

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with the client's output after the deadline.</summary>
    public async Task WaitForAsync(Func<GroupClient, bool> condition, TimeSpan deadline, string what)
    {
        var until = DateTime.UtcNow + deadline;
        while (!condition(this))
        {
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"{what}: not seen within {deadline}.\n{this}");
            await Task.Delay(100);
        }
    }

    /// <summary>Tells it to stop (a member leaves its group) and fails when it does not exit 0.</summary>
    public async Task StopAsync()
    {
        await _process.WriteAndCloseInputAsync("stop\n");
        var result = await _process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        if (result.ExitCode != 0)
            throw new Xunit.Sdk.XunitException($"{Name} did not end cleanly:\n{this}");
    }

    public override string ToString() => $"{Name}: last lines:\n{string.Join("\n", _process.Lines.TakeLast(30))}\nstderr:\n{_process.Stderr}";

    public void Dispose() => _process.Dispose();
}
