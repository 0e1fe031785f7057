using System.Net;
using Broker.Broker.Tests.Cluster;

namespace Broker.Broker.Tests.Operations;

/// <summary>
/// Readiness and safe-to-roll across a three-node cluster: what a Kubernetes readiness probe and a
/// rolling-restart operator (Strimzi's "can this pod roll?") would see.
/// </summary>
[Collection(FaultSettings.Collection)]
public sealed class ClusterReadinessTests
{
    [Fact]
    public async Task A_node_cut_off_from_the_quorum_turns_unready_and_ready_again_when_it_returns()
    {
        await using var cluster = await E2ECluster.StartCombinedAsync(3, FaultSettings.FastFencing);
        var leader = await cluster.WaitForLeaderAsync();
        foreach (var node in cluster.Nodes)
            await OperationsHttp.WaitForStatusAsync(node.Host.Address, node.HttpPort, "/ready", HttpStatusCode.OK, () => cluster.Logs);

        // A follower of the metadata quorum, so it cannot keep believing it leads: with the other two
        // stopped it loses its leader and can neither catch up nor heartbeat.
        var survivor = cluster.Nodes.First(n => n.Id != leader);
        foreach (var node in cluster.Nodes.Where(n => n != survivor))
            await node.StopAsync();
        var unready = await OperationsHttp.WaitForStatusAsync(survivor.Host.Address, survivor.HttpPort, "/ready",
            HttpStatusCode.ServiceUnavailable, () => cluster.Logs);
        Assert.False(unready.Json.GetProperty("ready").GetBoolean());
        Assert.NotEqual(0, unready.Json.GetProperty("reasons").GetArrayLength());
        // Still alive: liveness must not restart a node that merely waits for its quorum.
        var live = await OperationsHttp.GetAsync(survivor.Host.Address, survivor.HttpPort, "/healthz");
        Assert.Equal(HttpStatusCode.OK, live?.Status);

        foreach (var node in cluster.Nodes.Where(n => n != survivor))
            await node.RestartAsync();
        await OperationsHttp.WaitForStatusAsync(survivor.Host.Address, survivor.HttpPort, "/ready", HttpStatusCode.OK, () => cluster.Logs,
            TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Safe_to_roll_flips_when_a_follower_of_a_partition_at_min_insync_replicas_stops()
    {
        await using var cluster = await E2ECluster.StartCombinedAsync(3, FaultSettings.FastFencing);
        var quorumLeader = await cluster.WaitForLeaderAsync();
        var topic = FaultSettings.Unique("roll");
        await cluster.CreateTopicAsync(topic, 1, minInsyncReplicas: 2);
        var leaders = await cluster.WaitForFullIsrAsync(topic, 1);
        var asked = cluster.Node(leaders[0]);
        // Not the metadata quorum's leader: its stop would add an election, during which no node is ready.
        var follower = cluster.Nodes.First(n => n.Id != asked.Id && n.Id != quorumLeader);

        // ISR 3, min ISR 2: any one broker may stop.
        await OperationsHttp.WaitForStatusAsync(asked.Host.Address, asked.HttpPort, "/ready?safe-to-roll", HttpStatusCode.OK, () => cluster.Logs);

        await follower.StopAsync();
        // Still ready (it serves), but it must not be stopped now.
        var notSafe = await OperationsHttp.WaitForAsync(asked.Host.Address, asked.HttpPort, "/ready?safe-to-roll",
            a => a.Status == HttpStatusCode.ServiceUnavailable && a.Json.GetProperty("partitionsAtRisk").GetInt32() > 0
                && a.Json.GetProperty("ready").GetBoolean(),
            "status 503, ready, and a partition at risk", () => cluster.Logs);
        var json = notSafe.Json;
        Assert.False(json.GetProperty("safeToRoll").GetBoolean());
        var atRisk = Assert.Single(json.GetProperty("atRisk").EnumerateArray());
        Assert.Equal(topic, atRisk.GetProperty("topic").GetString());
        Assert.Equal(2, atRisk.GetProperty("isr").GetArrayLength());
        Assert.Equal(2, atRisk.GetProperty("minInsyncReplicas").GetInt32());

        await follower.RestartAsync();
        await OperationsHttp.WaitForStatusAsync(asked.Host.Address, asked.HttpPort, "/ready?safe-to-roll", HttpStatusCode.OK, () => cluster.Logs,
            TimeSpan.FromSeconds(60));
    }
}
