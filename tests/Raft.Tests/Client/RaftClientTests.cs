using System.Text;
using Broker.Protocol;
using Broker.Raft.Client;
using Broker.Raft.Storage;
using W = Broker.Protocol.Messages;

namespace Broker.Raft.Tests.Client;

public class RaftClientTests
{
    private static byte[][] Records(params string[] values) => values.Select(Encoding.UTF8.GetBytes).ToArray();

    [Fact]
    public async Task Three_nodes_elect_a_leader_and_commit_appends_everywhere()
    {
        await using var cluster = new InMemoryCluster(1, 2, 3);
        foreach (var id in new[] { 1, 2, 3 }) cluster.Start(id);
        await cluster.LeaderAsync();
        Assert.True(cluster.PreVotesSent > 0, "the election ran pre-vote over VoteRequest v2");

        var (_, offset) = await cluster.AppendOnLeaderAsync(Records("a", "b"));
        Assert.True(offset >= 1);
        await InMemoryCluster.Until(() => cluster.SameRecords([1, 2, 3], "a", "b"), "the same records on every node",
            state: () => string.Join(" | ", cluster.Listeners.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}: {string.Join(",", kv.Value.Records)}")));

        // Asked of whoever leads now (a busy machine may have moved leadership meanwhile).
        W.DescribeQuorumResponse.PartitionData p;
        RaftClient answering;
        do
        {
            answering = await cluster.LeaderAsync();
            var describe = (W.DescribeQuorumResponse)await answering.HandleRequestAsync(new W.DescribeQuorumRequest
            {
                Topics = [new() { TopicName = "__cluster_metadata", Partitions = [new()] }],
            });
            p = describe.Topics.Single().Partitions.Single();
        } while (p.ErrorCode == (short)ErrorCode.NotLeaderOrFollower);
        Assert.Equal(answering.NodeId, p.LeaderId);
        Assert.Equal([1, 2, 3], p.CurrentVoters.Select(v => v.ReplicaId).Order());
        Assert.True(p.HighWatermark > offset);
    }

    [Fact]
    public async Task An_append_on_a_follower_is_refused()
    {
        await using var cluster = new InMemoryCluster(1, 2, 3);
        foreach (var id in new[] { 1, 2, 3 }) cluster.Start(id);
        var leader = await cluster.LeaderAsync();
        var follower = cluster[leader.NodeId % 3 + 1];
        await Assert.ThrowsAsync<NotLeaderException>(() => follower.AppendAsync(leader.Leader.Epoch, Records("x")));
    }

    [Fact]
    public async Task After_the_leader_resigns_another_takes_over_and_the_old_one_catches_up_after_restart()
    {
        await using var cluster = new InMemoryCluster(1, 2, 3);
        foreach (var id in new[] { 1, 2, 3 }) cluster.Start(id);
        var (first, _) = await cluster.AppendOnLeaderAsync(Records("one"));
        var oldId = first.NodeId;
        await cluster.StopAsync(oldId); // graceful: EndQuorumEpoch

        var (second, _) = await cluster.AppendOnLeaderAsync(Records("two"));
        Assert.NotEqual(oldId, second.NodeId);

        cluster.Start(oldId); // from its directory: quorum-state and log
        await InMemoryCluster.Until(() => cluster.SameRecords([1, 2, 3], "one", "two"), "the restarted node to catch up");
    }

    [Fact]
    public async Task A_node_far_behind_a_snapshot_loads_it()
    {
        await using var cluster = new InMemoryCluster(1, 2, 3);
        foreach (var id in new[] { 1, 2, 3 }) cluster.Start(id);
        var leader = await cluster.LeaderAsync();
        var lagging = leader.NodeId % 3 + 1;
        await cluster.StopAsync(lagging);

        var (current, last) = await cluster.AppendOnLeaderAsync(Records("a", "b", "c"));
        var running = cluster.Listeners.Keys.Where(id => id != lagging).ToList();
        await InMemoryCluster.Until(() => cluster.SameRecords(running, "a", "b", "c"), "the records on the two running nodes");
        var snapshot = SnapshotFile.Build(Records("a", "b", "c"), 0, current.Leader.Epoch);
        // On both running nodes, so whichever leads when the lagging node returns has it.
        foreach (var id in running)
            Assert.NotNull(await cluster[id].CreateSnapshotAsync(last + 1, snapshot));

        var restarted = cluster.Start(lagging);
        await InMemoryCluster.Until(() => cluster.Listeners[lagging].SnapshotsLoaded == 1
                                          && cluster.Listeners[lagging].Records.SequenceEqual(["a", "b", "c"]),
            "the snapshot on the restarted node",
            state: () => $"{restarted.Role} {restarted.Leader} HW {restarted.HighWatermark} records [{string.Join(",", cluster.Listeners[lagging].Records)}] loaded {cluster.Listeners[lagging].SnapshotsLoaded}");
    }

    [Fact]
    public async Task A_request_for_another_cluster_is_refused()
    {
        await using var cluster = new InMemoryCluster(1);
        var node = cluster.Start(1);
        var response = (W.BeginQuorumEpochResponse)await node.HandleRequestAsync(new W.BeginQuorumEpochRequest
        {
            ClusterId = "someone-else",
            Topics = [new() { TopicName = "__cluster_metadata", Partitions = [new() { LeaderId = 2, LeaderEpoch = 9 }] }],
        });
        Assert.Equal((short)ErrorCode.InconsistentClusterId, response.ErrorCode);
    }

    [Fact]
    public async Task A_disk_failure_stops_the_node_and_fails_its_callers()
    {
        using var dir = new Storage.TempDir();
        var store = new RaftLogStore(dir.Path, [1]);
        await using var noPeers = new InMemoryCluster(); // a single voter sends nothing
        var client = new RaftClient(new Broker.Raft.Core.RaftConfig(1, [1]), "c", store, noPeers, new RecordingListener());
        client.Start();
        await InMemoryCluster.Until(() => client.IsLeader, "the single voter to lead");
        store.Dispose(); // the log can no longer be written

        await Assert.ThrowsAnyAsync<Exception>(() => client.AppendAsync(client.Leader.Epoch, Records("lost")));
        await Assert.ThrowsAnyAsync<Exception>(() => client.Completion);
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.AppendAsync(client.Leader.Epoch, Records("after")));
        await client.DisposeAsync();
    }
}
