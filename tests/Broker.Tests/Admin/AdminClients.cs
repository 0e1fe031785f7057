using System.Text.Json.Nodes;
using Broker.Broker.Tests.EndToEnd;

namespace Broker.Broker.Tests.Admin;

/// <summary>
/// The admin scripts in <c>Admin/clients</c>: confluent-kafka's AdminClient and kafkajs's admin,
/// each printing one JSON line per result. A script that exits non-zero fails the test with its
/// output and the broker's.
/// </summary>
public static class AdminClients
{
    public static string ScriptDirectory => Path.Combine(Clients.RepoRoot, "tests", "Broker.Tests", "Admin", "clients");

    public static Task<List<JsonNode>> ConfluentAsync(E2EBroker broker, string command, params string[] args) =>
        RunAsync(broker, Clients.Python, "confluent_admin.py", command, args, null);

    public static Task<List<JsonNode>> KafkaJsAsync(E2EBroker broker, string command, params string[] args) =>
        RunAsync(broker, "node", "kafkajs_admin.js", command, args, new Dictionary<string, string> { ["NODE_PATH"] = Clients.NodeModules });

    /// <summary>The single line a one-result command prints.</summary>
    public static async Task<JsonNode> ConfluentOneAsync(E2EBroker broker, string command, params string[] args) =>
        Assert.Single(await ConfluentAsync(broker, command, args));

    public static async Task<JsonNode> KafkaJsOneAsync(E2EBroker broker, string command, params string[] args) =>
        Assert.Single(await KafkaJsAsync(broker, command, args));

    /// <summary>The error name a result line carries, null for success.</summary>
    public static string? Error(JsonNode line) => (string?)line["error"];

    private static async Task<List<JsonNode>> RunAsync(
        E2EBroker broker, string interpreter, string script, string command, string[] args, IReadOnlyDictionary<string, string>? environment)
    {
        var result = await ClientProcess.RunAsync(interpreter, [Path.Combine(ScriptDirectory, script), command, "--bootstrap", broker.Bootstrap, .. args],
            environment: environment);
        Clients.Succeeded(result, broker);
        return result.Lines.Select(l => JsonNode.Parse(l) ?? throw new Xunit.Sdk.XunitException($"Not JSON: {l}\n{result}")).ToList();
    }
}
