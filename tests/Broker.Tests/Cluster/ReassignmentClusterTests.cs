using System.Text.Json;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Broker.Tests.Cluster;

/// <summary>
/// Partition reassignments and leader elections on three combined nodes, asked through a broker
/// listener (forwarded to the active controller) by kafkajs's admin client and, for what no
/// third-party client we have can send (cancel, ElectLeaders), over the wire.
/// </summary>
public sealed class ReassignmentClusterTests
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..20];

    private static async Task<List<ClusterAdmin.PartitionView>> DescribeAsync(E2ECluster cluster, ClusterNode node, string topic) =>
        ClusterAdmin.Partitions(ClusterAdmin.Succeeded(await ClusterAdmin.KafkaJsAsync("describe", node.Bootstrap, "--topic", topic), cluster));

    private static async Task<List<JsonElement>> ReassignmentsAsync(E2ECluster cluster, ClusterNode node, string topic) =>
        ClusterAdmin.Succeeded(await ClusterAdmin.KafkaJsAsync("list-reassignments", node.Bootstrap, "--topic", topic), cluster)
            .Lines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    /// <summary>Waits until every node's metadata has <paramref name="topic"/> with its partitions led.</summary>
    private static Task EveryNodeKnowsAsync(E2ECluster cluster, string topic, int partitions) =>
        cluster.Until(async () =>
        {
            foreach (var node in cluster.Running)
            {
                var t = (await node.MetadataAsync(topic)).Topics.Single();
                if (t.ErrorCode != 0 || t.Partitions.Count != partitions || t.Partitions.Any(p => p.LeaderId < 0))
                    return false;
            }
            return true;
        }, $"every node to know {topic}");

    /// <summary>Waits until every node's metadata shows <paramref name="replicas"/> for partition 0 of <paramref name="topic"/>.</summary>
    private static Task EveryNodeShowsAsync(E2ECluster cluster, string topic, int[] replicas) =>
        cluster.Until(async () =>
        {
            foreach (var node in cluster.Running)
            {
                var p = (await node.MetadataAsync(topic)).Topics.Single().Partitions.SingleOrDefault(x => x.PartitionIndex == 0);
                if (p is null || !p.ReplicaNodes.SequenceEqual(replicas))
                    return false;
            }
            return true;
        }, $"every node to show replicas [{string.Join(",", replicas)}] for {topic}-0");

    [Fact]
    public async Task Kafkajs_reassignments_within_the_isr_complete_at_once_and_one_that_cannot_catch_up_is_listed_until_cancelled()
    {
        await using var cluster = await E2ECluster.StartCombinedAsync(3);
        await cluster.WaitForLeaderAsync();
        var node = cluster.Node(2);
        var shrink = Unique("shrink");
        var grow = Unique("grow");
        ClusterAdmin.Succeeded(await ClusterAdmin.KafkaJsAsync("create", node.Bootstrap, "--topic", shrink, "--partitions", "1", "--rf", "3"), cluster);
        ClusterAdmin.Succeeded(await ClusterAdmin.KafkaJsAsync("create", node.Bootstrap, "--topic", grow, "--partitions", "1", "--rf", "1"), cluster);
        await EveryNodeKnowsAsync(cluster, shrink, 1);
        await EveryNodeKnowsAsync(cluster, grow, 1);

        // Dropping a replica keeps only in-sync replicas: done in the same step.
        var before = (await DescribeAsync(cluster, node, shrink)).Single();
        var target = before.Replicas.Take(2).ToArray();
        ClusterAdmin.Succeeded(await ClusterAdmin.KafkaJsAsync("reassign", node.Bootstrap, "--topic", shrink, "--partition", "0", "--replicas", string.Join(",", target)), cluster);
        await EveryNodeShowsAsync(cluster, shrink, target);
        Assert.Empty(await ReassignmentsAsync(cluster, node, shrink));

        // Adding a replica waits for it to catch up; one whose broker is stopped cannot, so the move stays listed.
        var only = (await DescribeAsync(cluster, node, grow)).Single().Replicas.Single();
        var added = cluster.Nodes.Select(n => n.Id).First(id => id != only && id != node.Id);
        Assert.Equal(0, await cluster.Node(added).StopAsync());
        ClusterAdmin.Succeeded(await ClusterAdmin.KafkaJsAsync("reassign", node.Bootstrap, "--topic", grow, "--partition", "0", "--replicas", $"{only},{added}"), cluster);
        await EveryNodeShowsAsync(cluster, grow, [only, added]);
        var pending = Assert.Single(await ReassignmentsAsync(cluster, node, grow));
        Assert.Equal([only, added], pending.GetProperty("replicas").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([added], pending.GetProperty("adding").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Empty(pending.GetProperty("removing").EnumerateArray());

        // Cancelling (null replicas: kafkajs cannot send it) puts the partition back.
        using var connection = await node.ConnectAsync();
        var cancelled = await connection.RequestAsync<AlterPartitionReassignmentsResponse>(new AlterPartitionReassignmentsRequest
        {
            Topics = [new() { Name = grow, Partitions = [new() { PartitionIndex = 0, Replicas = null }] }],
        }, 0);
        Assert.Equal(ErrorCode.None, (ErrorCode)cancelled.ErrorCode);
        Assert.Equal(ErrorCode.None, (ErrorCode)cancelled.Responses.Single().Partitions.Single().ErrorCode);
        await EveryNodeShowsAsync(cluster, grow, [only]);
        Assert.Empty(await ReassignmentsAsync(cluster, node, grow));
        var again = await connection.RequestAsync<AlterPartitionReassignmentsResponse>(new AlterPartitionReassignmentsRequest
        {
            Topics = [new() { Name = grow, Partitions = [new() { PartitionIndex = 0, Replicas = null }] }],
        }, 0);
        Assert.Equal(ErrorCode.NoReassignmentInProgress, (ErrorCode)again.Responses.Single().Partitions.Single().ErrorCode);
    }

    [Fact]
    public async Task ElectLeaders_through_any_broker_answers_as_Kafka_for_preferred_and_unclean_elections()
    {
        await using var cluster = await E2ECluster.StartCombinedAsync(3);
        var leader = await cluster.WaitForLeaderAsync();
        var topic = Unique("elect");
        ClusterAdmin.Succeeded(await ClusterAdmin.KafkaJsAsync("create", cluster.Node(1).Bootstrap, "--topic", topic, "--partitions", "2", "--rf", "3"), cluster);
        await EveryNodeKnowsAsync(cluster, topic, 2);

        // Through a node that is not the active controller: forwarded.
        var via = cluster.Nodes.First(n => n.Id != leader);
        using var connection = await via.ConnectAsync();
        ElectLeadersRequest Request(sbyte type, params (string Topic, int Partition)[] partitions) => new()
        {
            ElectionType = type,
            TopicPartitions = partitions.Length == 0 ? null
                : partitions.GroupBy(p => p.Topic).Select(g => new ElectLeadersRequest.TopicPartitionsData { Topic = g.Key, Partitions = g.Select(p => p.Partition).ToList() }).ToList(),
        };

        var preferred = await connection.RequestAsync<ElectLeadersResponse>(Request(0, (topic, 0), (topic, 1), ("no-such-topic", 0)), 2);
        Assert.Equal(ErrorCode.None, (ErrorCode)preferred.ErrorCode);
        var results = preferred.ReplicaElectionResults.SelectMany(r => r.PartitionResult.Select(p => (r.Topic, p.PartitionId, Error: (ErrorCode)p.ErrorCode))).ToList();
        Assert.Contains((topic, 0, ErrorCode.ElectionNotNeeded), results);
        Assert.Contains((topic, 1, ErrorCode.ElectionNotNeeded), results);
        Assert.Contains(("no-such-topic", 0, ErrorCode.UnknownTopicOrPartition), results);

        var unclean = await connection.RequestAsync<ElectLeadersResponse>(Request(1, (topic, 0)), 2);
        Assert.Equal(ErrorCode.ElectionNotNeeded, (ErrorCode)unclean.ReplicaElectionResults.Single().PartitionResult.Single().ErrorCode);

        // Every partition: those already led by their preferred replica are not reported.
        var all = await connection.RequestAsync<ElectLeadersResponse>(Request(0), 2);
        Assert.Equal(ErrorCode.None, (ErrorCode)all.ErrorCode);
        Assert.Empty(all.ReplicaElectionResults);
    }
}
