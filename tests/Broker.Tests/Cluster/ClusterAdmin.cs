using System.Text.Json;
using Broker.Broker.Tests.EndToEnd;

namespace Broker.Broker.Tests.Cluster;

/// <summary>The third-party admin clients of the cluster tests (scripts in <c>Cluster/clients/</c>).</summary>
public static class ClusterAdmin
{
    private static string Script(string name) => Path.Combine(Clients.RepoRoot, "tests", "Broker.Tests", "Cluster", "clients", name);

    public sealed record PartitionView(int Partition, int Leader, int[] Replicas, int[] Isr);

    public static Task<ClientResult> ConfluentAsync(string command, string bootstrap, params string[] args) =>
        ClientProcess.RunAsync(Clients.Python, [Script("cluster_admin.py"), command, "--bootstrap", bootstrap, .. args], deadline: TimeSpan.FromSeconds(120));

    public static Task<ClientResult> KafkaJsAsync(string command, string bootstrap, params string[] args) =>
        ClientProcess.RunAsync("node", [Script("cluster_admin.js"), command, "--bootstrap", bootstrap, .. args],
            environment: new Dictionary<string, string> { ["NODE_PATH"] = Clients.NodeModules });

    public static List<PartitionView> Partitions(ClientResult result) => result.Lines.Select(line =>
    {
        var json = JsonDocument.Parse(line).RootElement;
        return new PartitionView(json.GetProperty("partition").GetInt32(), json.GetProperty("leader").GetInt32(),
            json.GetProperty("replicas").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            json.GetProperty("isr").EnumerateArray().Select(e => e.GetInt32()).ToArray());
    }).ToList();

    public static ClientResult Succeeded(ClientResult result, E2ECluster cluster)
    {
        Assert.True(result.ExitCode == 0, $"{result}\n{cluster.Logs}");
        return result;
    }
}
