using System.Buffers.Binary;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;

namespace Broker.Protocol.Tests.Golden;

/// <summary>The classic consumer group steps both group consumers took, from the committed frames.</summary>
public sealed partial class GoldenFileTests
{
    /// <summary>
    /// Decodes a consumer protocol blob (subscription or assignment): an int16 version, then the
    /// message at that version. Re-encoding must give the same bytes back, as for whole frames.
    /// </summary>
    private static (T Message, short Version) DecodeEmbedded<T>(byte[] bytes) where T : IKafkaMessage, new()
    {
        short version = BinaryPrimitives.ReadInt16BigEndian(bytes);
        var reader = new KafkaReader(bytes.AsMemory(2));
        var message = new T();
        message.Read(ref reader, version);
        reader.EnsureEnd(typeof(T).Name);

        using var buffer = new PooledBufferWriter();
        var writer = new KafkaWriter(buffer);
        writer.WriteInt16(version);
        message.Write(writer, version);
        Assert.Equal(bytes, buffer.ToArray());
        return (message, version);
    }

    [Theory]
    [InlineData("python-findcoordinator-v2.bin", "golden-python", "golden-python-group")]
    [InlineData("kafkajs-findcoordinator-v2.bin", "golden-kafkajs", "golden-kafkajs-group")]
    public void FindCoordinator_asks_for_the_group_coordinator(string file, string clientId, string group)
    {
        var (frame, body) = Load<FindCoordinatorRequest>(file);

        Assert.Equal(clientId, frame.Header.ClientId);
        Assert.Equal(group, body.Key);
        Assert.Equal(0, body.KeyType);
        Assert.Empty(body.CoordinatorKeys);
    }

    /// <summary>librdkafka offers two assignors with v1 subscriptions, kafkajs one with v0.</summary>
    [Theory]
    [InlineData("python-joingroup-v5.bin", "golden-python", "golden-python-group", 45000, 300000, 1, new[] { "range", "roundrobin" })]
    [InlineData("kafkajs-joingroup-v5.bin", "golden-kafkajs", "golden-kafkajs-group", 30000, 60000, 0, new[] { "RoundRobinAssigner" })]
    public void JoinGroup_subscribes_to_the_topic_with_each_assignor(
        string file, string clientId, string group, int sessionTimeoutMs, int rebalanceTimeoutMs, short subscriptionVersion, string[] assignors)
    {
        var (frame, body) = Load<JoinGroupRequest>(file);

        Assert.Equal(clientId, frame.Header.ClientId);
        Assert.Equal(group, body.GroupId);
        Assert.Equal(sessionTimeoutMs, body.SessionTimeoutMs);
        Assert.Equal(rebalanceTimeoutMs, body.RebalanceTimeoutMs);
        Assert.Equal("", body.MemberId);
        Assert.Null(body.GroupInstanceId);
        Assert.Equal("consumer", body.ProtocolType);
        Assert.Equal(assignors, body.Protocols.Select(p => p.Name));
        foreach (var protocol in body.Protocols)
        {
            var (subscription, version) = DecodeEmbedded<ConsumerProtocolSubscription>(protocol.Metadata);
            Assert.Equal(subscriptionVersion, version);
            Assert.Equal(["golden"], subscription.Topics);
            // Both write an empty user data, not a null one.
            Assert.Empty(Assert.IsType<byte[]>(subscription.UserData));
            Assert.Empty(subscription.OwnedPartitions);
        }
    }

    [Theory]
    [InlineData("python-syncgroup-v3.bin", "golden-python", "golden-python-group")]
    [InlineData("kafkajs-syncgroup-v3.bin", "golden-kafkajs", "golden-kafkajs-group")]
    public void SyncGroup_from_the_leader_assigns_partition_0_to_itself(string file, string clientId, string group)
    {
        var (frame, body) = Load<SyncGroupRequest>(file);

        Assert.Equal(clientId, frame.Header.ClientId);
        Assert.Equal(group, body.GroupId);
        Assert.Equal(1, body.GenerationId);
        // The fake broker named the member after the client id.
        Assert.Matches($"^{clientId}-[0-9a-f]{{32}}$", body.MemberId);
        Assert.Null(body.GroupInstanceId);
        var assignment = Assert.Single(body.Assignments);
        Assert.Equal(body.MemberId, assignment.MemberId);
        var (decoded, version) = DecodeEmbedded<ConsumerProtocolAssignment>(assignment.Assignment);
        Assert.Equal(0, version);
        var assigned = Assert.Single(decoded.AssignedPartitions);
        Assert.Equal("golden", assigned.Topic);
        Assert.Equal([0], assigned.Partitions);
    }

    [Theory]
    [InlineData("python-offsetfetch-v7.bin", "golden-python", "golden-python-group", true)]
    [InlineData("kafkajs-offsetfetch-v4.bin", "golden-kafkajs", "golden-kafkajs-group", false)]
    public void OffsetFetch_asks_for_the_committed_offset_of_partition_0(string file, string clientId, string group, bool requireStable)
    {
        var (frame, body) = Load<OffsetFetchRequest>(file);

        Assert.Equal(clientId, frame.Header.ClientId);
        Assert.Equal(group, body.GroupId);
        var topic = Assert.Single(body.Topics!);
        Assert.Equal("golden", topic.Name);
        Assert.Equal([0], topic.PartitionIndexes);
        Assert.Empty(body.Groups);
        Assert.Equal(requireStable, body.RequireStable);
    }

    [Theory]
    [InlineData("python-listoffsets-v2.bin", "golden-python")]
    [InlineData("kafkajs-listoffsets-v3.bin", "golden-kafkajs")]
    public void ListOffsets_asks_for_the_earliest_offset_of_partition_0(string file, string clientId)
    {
        var (frame, body) = Load<ListOffsetsRequest>(file);

        Assert.Equal(clientId, frame.Header.ClientId);
        Assert.Equal(-1, body.ReplicaId);
        Assert.Equal(1, body.IsolationLevel);
        var topic = Assert.Single(body.Topics);
        Assert.Equal("golden", topic.Name);
        var partition = Assert.Single(topic.Partitions);
        Assert.Equal(0, partition.PartitionIndex);
        Assert.Equal(-2, partition.Timestamp);
        Assert.Equal(-1, partition.CurrentLeaderEpoch);
    }
}
