using Broker.Broker.Tests.EndToEnd;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Broker.Tests.Cluster;

/// <summary>
/// Three combined nodes on loopback with a static three-voter quorum: one leader, every broker
/// registered, topics created by third-party admin clients through any node and seen the same on
/// every node, and the active controller killed and restarted.
/// </summary>
public sealed class ThreeNodeClusterTests
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..20];

    /// <summary>The partitions of <paramref name="topic"/> as <paramref name="node"/>'s Metadata answers, once it knows the topic.</summary>
    private static async Task<List<ClusterAdmin.PartitionView>> AssignmentOnAsync(E2ECluster cluster, ClusterNode node, string topic, int partitions)
    {
        List<ClusterAdmin.PartitionView> seen = [];
        await cluster.Until(async () =>
        {
            var metadata = await node.MetadataAsync(topic);
            var t = metadata.Topics.Single();
            if (t.ErrorCode != 0 || t.Partitions.Count != partitions)
                return false;
            seen = t.Partitions.OrderBy(p => p.PartitionIndex)
                .Select(p => new ClusterAdmin.PartitionView(p.PartitionIndex, p.LeaderId, p.ReplicaNodes.ToArray(), p.IsrNodes.Order().ToArray())).ToList();
            return true;
        }, $"node {node.Id} to know {topic}");
        return seen;
    }

    private static void AssertSameViews(List<ClusterAdmin.PartitionView> expected, List<ClusterAdmin.PartitionView> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Partition, actual[i].Partition);
            Assert.Equal(expected[i].Leader, actual[i].Leader);
            Assert.Equal(expected[i].Replicas, actual[i].Replicas);
            Assert.Equal(expected[i].Isr, actual[i].Isr);
        }
    }

    [Fact]
    public async Task Three_combined_nodes_elect_one_leader_and_register_all_three_brokers()
    {
        await using var cluster = await E2ECluster.StartCombinedAsync(3);
        var leader = await cluster.WaitForLeaderAsync();
        Assert.Contains(leader, new[] { 1, 2, 3 });
        var quorum = await cluster.DescribeQuorumAsync();
        Assert.NotNull(quorum);
        Assert.Equal([1, 2, 3], quorum!.CurrentVoters.Select(v => v.ReplicaId).Order());
        Assert.True(quorum.HighWatermark > 0);
        // Our kafka-metadata-quorum equivalent, through a broker listener and a controller listener.
        foreach (var node in cluster.Nodes)
        {
            var status = await QuorumCli.RunAsync("describe", "--status", "--bootstrap-server", node.Bootstrap);
            Assert.Contains($"LeaderId:               {leader}\n", status);
            Assert.Contains("CurrentVoters:          [1,2,3]\n", status);
            Assert.Contains("CurrentObservers:       []\n", status);
            Assert.Matches(@"ClusterId:\s+\S{22}\n", status);
            Assert.Matches(@"HighWatermark:\s+[1-9]\d*\n", status);
        }
        await cluster.Until(async () =>
        {
            var table = (await QuorumCli.RunAsync("describe", "--replication", "--bootstrap-controller", $"127.0.0.1:{cluster.Node(1).ControllerPort}"))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
            Assert.Equal(["NodeId", "LogEndOffset", "Lag", "LastFetchTimestamp", "LastCaughtUpTimestamp", "Status"], table[0]);
            Assert.Equal([leader.ToString(), "Leader"], [table[1][0], table[1][5]]);
            Assert.Equal(["Follower", "Follower"], table.Skip(2).Select(r => r[5]));
            // Followers fetch continuously: their lag drops to zero.
            return table.Skip(1).All(r => r[2] == "0");
        }, "quorum describe --replication to show caught-up followers");

        // Each node learns the others' unfencing by following the log, a moment after it commits.
        foreach (var node in cluster.Nodes)
            await cluster.Until(async () => (await node.MetadataAsync()).Brokers.Select(b => b.NodeId).Order().SequenceEqual([1, 2, 3]),
                $"node {node.Id} to list brokers 1, 2 and 3");
    }

    [Fact]
    public async Task Admin_clients_create_rf3_topics_through_any_node_and_every_node_shows_the_same_assignment()
    {
        await using var cluster = await E2ECluster.StartCombinedAsync(3);
        await cluster.WaitForLeaderAsync();
        var byConfluent = Unique("conf");
        var byKafkaJs = Unique("kjs");
        // Through two different nodes: at most one of them is the active controller, the other forwards.
        ClusterAdmin.Succeeded(await ClusterAdmin.ConfluentAsync("create", cluster.Node(1).Bootstrap, "--topic", byConfluent, "--partitions", "3", "--rf", "3"), cluster);
        ClusterAdmin.Succeeded(await ClusterAdmin.KafkaJsAsync("create", cluster.Node(2).Bootstrap, "--topic", byKafkaJs, "--partitions", "3", "--rf", "3"), cluster);

        foreach (var topic in new[] { byConfluent, byKafkaJs })
        {
            var reference = await AssignmentOnAsync(cluster, cluster.Node(1), topic, 3);
            foreach (var partition in reference)
            {
                Assert.Equal([1, 2, 3], partition.Replicas.Order());
                Assert.Contains(partition.Leader, partition.Replicas);
            }
            // Leadership is spread: each node leads one of the three partitions.
            Assert.Equal([1, 2, 3], reference.Select(p => p.Leader).Order());
            foreach (var node in cluster.Nodes)
            {
                AssertSameViews(reference, await AssignmentOnAsync(cluster, node, topic, 3));
                AssertSameViews(reference, ClusterAdmin.Partitions(ClusterAdmin.Succeeded(
                    await ClusterAdmin.ConfluentAsync("describe", node.Bootstrap, "--topic", topic), cluster)));
                AssertSameViews(reference, ClusterAdmin.Partitions(ClusterAdmin.Succeeded(
                    await ClusterAdmin.KafkaJsAsync("describe", node.Bootstrap, "--topic", topic), cluster)));
            }
        }
    }

    [Fact]
    public async Task Nodes_that_do_not_lead_a_partition_answer_produce_with_not_leader_or_follower()
    {
        await using var cluster = await E2ECluster.StartCombinedAsync(3);
        await cluster.WaitForLeaderAsync();
        var topic = Unique("nl");
        ClusterAdmin.Succeeded(await ClusterAdmin.ConfluentAsync("create", cluster.Node(1).Bootstrap, "--topic", topic, "--partitions", "1", "--rf", "3"), cluster);
        var leader = (await AssignmentOnAsync(cluster, cluster.Node(1), topic, 1)).Single().Leader;
        foreach (var node in cluster.Nodes.Where(n => n.Id != leader))
        {
            await AssignmentOnAsync(cluster, node, topic, 1);
            using var connection = await node.ConnectAsync();
            var answer = await RawProduce.SendAsync(connection, topic, RawProduce.Batch(["x"]), acks: 1);
            Assert.Equal((short)ErrorCode.NotLeaderOrFollower, answer.ErrorCode);
        }
    }

    [Fact]
    public async Task Killing_the_active_controller_elects_another_and_admin_operations_keep_working_then_it_catches_up()
    {
        await using var cluster = await E2ECluster.StartCombinedAsync(3);
        var leader = await cluster.WaitForLeaderAsync();
        var before = Unique("before");
        ClusterAdmin.Succeeded(await ClusterAdmin.ConfluentAsync("create", cluster.Node(leader).Bootstrap, "--topic", before, "--partitions", "2", "--rf", "3"), cluster);

        await cluster.Node(leader).KillAsync();
        var successor = await cluster.WaitForLeaderAsync(not: leader);
        Assert.NotEqual(leader, successor);
        var survivor = cluster.Running.First();
        var after = Unique("after");
        ClusterAdmin.Succeeded(await ClusterAdmin.ConfluentAsync("create", survivor.Bootstrap, "--topic", after, "--partitions", "2", "--rf", "2"), cluster);
        var kafkajsAfter = Unique("kjsafter");
        ClusterAdmin.Succeeded(await ClusterAdmin.KafkaJsAsync("create", cluster.Running.Last().Bootstrap, "--topic", kafkajsAfter, "--partitions", "1", "--rf", "2"), cluster);

        await cluster.Node(leader).RestartAsync();
        var expected = await AssignmentOnAsync(cluster, survivor, after, 2);
        AssertSameViews(expected, await AssignmentOnAsync(cluster, cluster.Node(leader), after, 2));
        await AssignmentOnAsync(cluster, cluster.Node(leader), before, 2);
        await AssignmentOnAsync(cluster, cluster.Node(leader), kafkajsAfter, 1);
        await cluster.Until(async () => (await cluster.DescribeQuorumAsync())?.CurrentVoters.All(v => v.LogEndOffset > 0) == true,
            "every voter to have replicated the log");
    }
}
