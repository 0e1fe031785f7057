using Broker.Protocol.Messages;

namespace Broker.Broker.Tests.Cluster;

/// <summary>
/// Metadata snapshots in a running cluster, and the split roles: a broker-only node following a
/// controller-only quorum as an observer.
/// </summary>
public sealed class QuorumSnapshotAndRolesTests
{
    private static IEnumerable<long> SnapshotEnds(ClusterNode node) =>
        Directory.Exists(node.MetadataLogDir)
            ? Directory.GetFiles(node.MetadataLogDir, "*.checkpoint").Select(f => long.Parse(Path.GetFileName(f)[..20]))
            : [];

    [Fact]
    public async Task A_node_restarted_after_the_log_moved_past_it_catches_up_from_the_leaders_snapshot()
    {
        // Snapshots every ~1 KB of records, and each one cuts the log behind it.
        await using var cluster = await E2ECluster.StartCombinedAsync(3, "metadata.log.max.record.bytes.between.snapshots=1000");
        var leader = await cluster.WaitForLeaderAsync();
        var behind = cluster.Nodes.First(n => n.Id != leader);
        await behind.KillAsync();
        // Where the stopped node's log ends, as the leader last saw it fetch.
        long end = -1;
        await cluster.Until(async () =>
        {
            end = (await cluster.DescribeQuorumAsync(cluster.Node(leader)))?.CurrentVoters.SingleOrDefault(v => v.ReplicaId == behind.Id)?.LogEndOffset ?? -1;
            return end >= 0;
        }, "the leader to describe the stopped voter");

        var prefix = $"snap-{Guid.NewGuid():N}"[..12];
        ClusterAdmin.Succeeded(await ClusterAdmin.ConfluentAsync("create-many", cluster.Node(leader).Bootstrap,
            "--prefix", prefix, "--count", "30", "--batch", "3", "--rf", "2"), cluster);
        // The leader's log now starts at its newest snapshot, past the stopped node's end: replay alone cannot catch it up.
        await cluster.Until(() => Task.FromResult(SnapshotEnds(cluster.Node(leader)).DefaultIfEmpty(0).Max() > end),
            $"the leader to snapshot past offset {end}");

        await behind.RestartAsync();
        Assert.Contains("Loaded metadata snapshot", behind.CurrentRunOutput);
        Assert.Contains(SnapshotEnds(behind), e => e > end);
        var names = Enumerable.Range(0, 30).Select(i => $"{prefix}-{i}").ToArray();
        await cluster.Until(async () => (await behind.MetadataAsync(names)).Topics.All(t => t.ErrorCode == 0 && t.Partitions.Count == 1),
            $"node {behind.Id} to know all 30 topics");
        await cluster.Until(async () => (await behind.MetadataAsync()).Brokers.Count == 3, "three brokers listed by the restarted node");
    }

    [Fact]
    public async Task A_broker_only_node_follows_a_controller_only_quorum_as_observer_and_is_unfenced()
    {
        await using var cluster = await E2ECluster.StartAsync([(1, "controller"), (2, "broker")],
            "offsets.topic.replication.factor=1");
        var broker = cluster.Node(2);
        await cluster.Until(async () => (await broker.MetadataAsync()).Brokers.Select(b => b.NodeId).SequenceEqual([2]),
            "broker 2 to be listed as unfenced");

        // DescribeQuorum through the broker's own listener is forwarded to the controller.
        DescribeQuorumResponse.PartitionData? quorum = null;
        await cluster.Until(async () =>
        {
            quorum = await cluster.DescribeQuorumAsync(broker);
            return quorum?.Observers.Any(o => o.ReplicaId == 2 && o.LogEndOffset > 0) == true;
        }, "node 2 listed as an observer that fetches");
        Assert.Equal(1, quorum!.LeaderId);
        Assert.Equal([1], quorum.CurrentVoters.Select(v => v.ReplicaId));
        var replication = await QuorumCli.RunAsync("describe", "--replication", "--bootstrap-server", broker.Bootstrap);
        Assert.Matches(@"\n1\s+\d+\s+0\s+\d+\s+\d+\s+Leader\n", replication);
        Assert.Matches(@"\n2\s+\d+\s+\d+\s+\d+\s+-?\d+\s+Observer\n", replication);
        Assert.Contains("CurrentObservers:       [2]", await QuorumCli.RunAsync("describe", "--bootstrap-server", broker.Bootstrap));

        var topic = $"obs-{Guid.NewGuid():N}"[..16];
        ClusterAdmin.Succeeded(await ClusterAdmin.ConfluentAsync("create", broker.Bootstrap, "--topic", topic, "--partitions", "2", "--rf", "1"), cluster);
        await cluster.Until(async () => (await broker.MetadataAsync(topic)).Topics.Single() is { ErrorCode: 0, Partitions.Count: 2 } t
                                        && t.Partitions.All(p => p.LeaderId == 2),
            "the broker-only node to learn the topic it leads");
    }
}
