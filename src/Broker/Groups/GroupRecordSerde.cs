using Broker.Log;
using Broker.Protocol;
using Broker.Protocol.GroupCoordinator;
using Broker.Protocol.Wire;

namespace Broker.Groups;

/// <summary>
/// Kafka's __consumer_offsets record formats: a key is a version (0/1 an offset commit, 2 group
/// metadata) followed by its fields; a value is its own version followed by its fields. The key
/// identifies what compaction keeps the latest of; a null value deletes it.
/// </summary>
public static class GroupRecordSerde
{
    public const short OffsetCommitKeyVersion = 1, GroupMetadataKeyVersion = 2;
    public const short OffsetCommitValueVersion = 3, OffsetCommitValueWithExpiryVersion = 1, GroupMetadataValueVersion = 3;

    public static byte[] OffsetKey(string group, TopicPartition partition) =>
        Encode(OffsetCommitKeyVersion, new OffsetCommitKey { group = group, topic = partition.Topic, partition = partition.Partition });

    public static byte[] GroupKey(string group) => Encode(GroupMetadataKeyVersion, new GroupMetadataKey { group = group });

    public static GroupRecord Offset(string group, TopicPartition partition, CommittedOffset offset)
    {
        var version = offset.ExpireTimestamp >= 0 ? OffsetCommitValueWithExpiryVersion : OffsetCommitValueVersion;
        return new(OffsetKey(group, partition), Encode(version, new OffsetCommitValue
        {
            offset = offset.Offset, leaderEpoch = offset.LeaderEpoch, metadata = offset.Metadata,
            commitTimestamp = offset.CommitTimestamp, expireTimestamp = offset.ExpireTimestamp,
        }));
    }

    public static GroupRecord Group(ClassicGroup group) => new(GroupKey(group.GroupId), Encode(GroupMetadataValueVersion, new GroupMetadataValue
    {
        protocolType = group.ProtocolType ?? "",
        generation = group.GenerationId,
        protocol = group.ProtocolName,
        leader = group.LeaderId,
        currentStateTimestamp = group.StateTimestamp,
        members = group.Members.Values.Select(m => new GroupMetadataValue.MemberMetadata
        {
            memberId = m.MemberId, groupInstanceId = m.GroupInstanceId, clientId = m.ClientId, clientHost = m.ClientHost,
            rebalanceTimeout = m.RebalanceTimeoutMs, sessionTimeout = m.SessionTimeoutMs,
            subscription = m.MetadataFor(group.ProtocolName) ?? [], assignment = m.Assignment,
        }).ToList(),
    }));

    /// <summary>What a stored record says; unknown key versions (newer group types, other coordinators) are skipped.</summary>
    public abstract record Decoded;
    public sealed record OffsetRecord(string Group, TopicPartition Partition, CommittedOffset? Offset) : Decoded;
    public sealed record GroupMetadataRecord(string Group, GroupMetadataValue? Value) : Decoded;

    /// <exception cref="ProtocolException">The bytes do not parse.</exception>
    /// <param name="value">Null for a tombstone (an empty array is not one: it fails to parse).</param>
    public static Decoded? Decode(byte[] key, byte[]? value)
    {
        var keyReader = new KafkaReader(key);
        var keyVersion = keyReader.ReadInt16();
        switch (keyVersion)
        {
            case 0 or 1:
            {
                var k = new OffsetCommitKey();
                k.Read(ref keyReader, keyVersion);
                CommittedOffset? offset = null;
                if (value is { } bytes)
                {
                    var reader = new KafkaReader(bytes);
                    var v = new OffsetCommitValue();
                    v.Read(ref reader, reader.ReadInt16());
                    offset = new CommittedOffset(v.offset, v.leaderEpoch, v.metadata, v.commitTimestamp, v.expireTimestamp);
                }
                return new OffsetRecord(k.group, new TopicPartition(k.topic, k.partition), offset);
            }
            case 2:
            {
                var k = new GroupMetadataKey();
                k.Read(ref keyReader, keyVersion);
                GroupMetadataValue? v = null;
                if (value is { } bytes)
                {
                    var reader = new KafkaReader(bytes);
                    v = new GroupMetadataValue();
                    v.Read(ref reader, reader.ReadInt16());
                }
                return new GroupMetadataRecord(k.group, v);
            }
            default:
                return null;
        }
    }

    private static byte[] Encode(short version, IKafkaMessage message)
    {
        using var buffer = new PooledBufferWriter();
        var writer = new KafkaWriter(buffer);
        writer.WriteInt16(version);
        message.Write(writer, version);
        return buffer.ToArray();
    }
}
