using Broker.Protocol;
using Broker.Protocol.Messages;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.Cluster;

/// <summary>
/// Issue 15, follower fetching (KIP-392): three nodes in three racks with Kafka's rack-aware replica
/// selector. A confluent-kafka consumer whose <c>client.rack</c> is a follower's rack is sent there by
/// the leader and reads every record from it; librdkafka's statistics say which broker it fetched
/// from, and the follower says in its log that it served consumers.
/// </summary>
[Collection(FaultSettings.Collection)]
public sealed class FollowerFetchingTests(ITestOutputHelper output)
{
    private const string ServedAsFollower = "serving consumer fetches as a follower";

    [Fact]
    public async Task A_consumer_with_client_rack_reads_every_record_from_the_in_sync_replica_in_its_rack()
    {
        await using var cluster = await E2ECluster.StartCombinedAsync(3, id => [$"broker.rack=rack-{id}"],
            "replica.selector.class=org.apache.kafka.common.replica.RackAwareReplicaSelector");
        await cluster.WaitForLeaderAsync();
        var topic = FaultSettings.Unique("rack");
        await cluster.CreateTopicAsync(topic, 1);
        var leader = (await cluster.WaitForFullIsrAsync(topic, 1))[0];
        var follower = cluster.Nodes.First(n => n.Id != leader).Id;

        using var producer = AckedProducer.Start(cluster.Bootstrap, topic, 1, rate: 2000);
        await producer.WaitForAckAsync(a => a.Offset >= 999, TimeSpan.FromSeconds(60), "1000 acknowledged records");
        await producer.StopAsync();
        Assert.True(producer.Problems.Count == 0, producer.Summary());

        var fromFollower = await AckedRecordsCheck.ConsumeAllAsync(cluster.Bootstrap, topic, clientRack: $"rack-{follower}");
        output.WriteLine($"leader {leader}; consumer in rack-{follower} fetched from [{string.Join(",", fromFollower.FetchedFrom.GetValueOrDefault(0) ?? [])}], " +
                         $"{fromFollower.Records.Count} records");
        Assert.True(AckedRecordsCheck.Problems(producer.Acks, fromFollower) is null, AckedRecordsCheck.Problems(producer.Acks, fromFollower));
        Assert.Equal([follower], fromFollower.FetchedFrom[0]);
        Assert.Contains(ServedAsFollower, cluster.Node(follower).Logs);

        // In the leader's own rack the leader serves, and no follower has reason to say otherwise.
        var fromLeader = await AckedRecordsCheck.ConsumeAllAsync(cluster.Bootstrap, topic, clientRack: $"rack-{leader}");
        Assert.True(AckedRecordsCheck.Problems(producer.Acks, fromLeader) is null, AckedRecordsCheck.Problems(producer.Acks, fromLeader));
        Assert.Equal([leader], fromLeader.FetchedFrom[0]);
        Assert.DoesNotContain(ServedAsFollower, cluster.Nodes.Single(n => n.Id != leader && n.Id != follower).Logs);

        // Kafka's rules on the wire. The leader answers a rack it has an in-sync replica in with that replica and no records.
        var end = fromFollower.EndOffsets[0];
        var redirect = await FetchAsync(cluster.Node(leader), topic, 0, version: 12, rack: $"rack-{follower}");
        Assert.Equal((ErrorCode.None, follower, 0), (redirect.Error, redirect.Preferred, redirect.Bytes));
        // A follower serves v11+ consumers up to its high watermark; past its log end is OFFSET_OUT_OF_RANGE
        // (the client goes back to the leader); below v11 only the leader serves (NOT_LEADER_OR_FOLLOWER).
        var served = await FetchAsync(cluster.Node(follower), topic, 0, version: 12, rack: $"rack-{follower}");
        Assert.Equal((ErrorCode.None, -1, end), (served.Error, served.Preferred, served.HighWatermark));
        Assert.True(served.Bytes > 0);
        Assert.Equal(ErrorCode.OffsetOutOfRange, (await FetchAsync(cluster.Node(follower), topic, end + 10, version: 12, rack: "")).Error);
        Assert.Equal(ErrorCode.NotLeaderOrFollower, (await FetchAsync(cluster.Node(follower), topic, 0, version: 10, rack: "")).Error);
        // ListOffsets stays with the leader.
        using var connection = await cluster.Node(follower).ConnectAsync();
        var offsets = await connection.RequestAsync<ListOffsetsResponse>(new ListOffsetsRequest
        {
            ReplicaId = -1,
            Topics = [new() { Name = topic, Partitions = [new() { PartitionIndex = 0, Timestamp = -1 }] }],
        }, 7);
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, offsets.Topics.Single().Partitions.Single().ErrorCode);
    }

    private static async Task<(ErrorCode Error, int Preferred, long HighWatermark, int Bytes)> FetchAsync(
        ClusterNode node, string topic, long offset, short version, string rack)
    {
        using var connection = await node.ConnectAsync();
        var response = await connection.RequestAsync<FetchResponse>(new FetchRequest
        {
            ReplicaId = -1, MaxWaitMs = 0, MinBytes = 1, MaxBytes = 1 << 20, SessionEpoch = -1, RackId = rack,
            Topics = [new() { Topic = topic, Partitions = [new() { Partition = 0, FetchOffset = offset, PartitionMaxBytes = 1 << 20 }] }],
        }, version);
        var data = response.Responses.Single().Partitions.Single();
        return ((ErrorCode)data.ErrorCode, data.PreferredReadReplica, data.HighWatermark, data.Records?.Length ?? 0);
    }
}
