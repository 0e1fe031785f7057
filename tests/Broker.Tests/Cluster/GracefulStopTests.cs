namespace Broker.Broker.Tests.Cluster;

/// <summary>
/// Stopping a cluster node by node with SIGTERM, as an operator or Kubernetes does: each node
/// stops gracefully and exits 0 although the peers it would talk to are already gone.
/// </summary>
public sealed class GracefulStopTests
{
    [Fact]
    public async Task Nodes_stopped_one_by_one_with_SIGTERM_each_exit_0_even_when_their_peers_are_gone()
    {
        // The last node cannot have its controlled shutdown confirmed (no quorum): it waits the bound, then stops.
        await using var cluster = await E2ECluster.StartCombinedAsync(3, "controlled.shutdown.timeout.ms=3000");
        var leader = await cluster.WaitForLeaderAsync();
        // Partitions led everywhere, so each controlled shutdown has leaderships to move while it can.
        ClusterAdmin.Succeeded(await ClusterAdmin.ConfluentAsync("create", cluster.Node(leader).Bootstrap, "--topic", "stop-order", "--partitions", "3", "--rf", "3"), cluster);

        // Each time the quorum leader: the second leader resigns to a peer that is already gone, and
        // the last node is alone, without a quorum.
        await StopAndCheckAsync(cluster.Node(leader));
        var second = await cluster.WaitForLeaderAsync(not: leader);
        await StopAndCheckAsync(cluster.Node(second));
        var last = cluster.Running.Single();
        await StopAndCheckAsync(last);
        Assert.Contains("did not confirm the controlled shutdown within controlled.shutdown.timeout.ms (3000 ms)", last.Logs);
    }

    private static async Task StopAndCheckAsync(ClusterNode node)
    {
        var exitCode = await node.StopAsync();
        Assert.True(exitCode == 0, $"node {node.Id} exited {exitCode}\n{node.Logs}");
        Assert.DoesNotContain("crit:", node.Logs);
        Assert.DoesNotContain("error: node failed", node.Logs);
    }
}
