using Broker.Groups;
using Broker.Log;

namespace Broker.Broker.Tests.Groups;

/// <summary>The __consumer_offsets records byte for byte as Kafka lays them out, so tools that read the topic understand them.</summary>
public sealed class GroupRecordSerdeTests
{
    [Fact]
    public void Offset_commit_key_and_value_have_kafkas_layout()
    {
        var record = GroupRecordSerde.Offset("g", new TopicPartition("t", 2), new CommittedOffset(5, 7, "m", 1000));
        // key v1: group, topic, partition
        Assert.Equal("0001" + "0001" + "67" + "0001" + "74" + "00000002", Convert.ToHexString(record.Key));
        // value v3: offset, leader epoch, metadata, commit timestamp
        Assert.Equal("0003" + "0000000000000005" + "00000007" + "0001" + "6D" + "00000000000003E8", Convert.ToHexString(record.Value!));
        var decoded = Assert.IsType<GroupRecordSerde.OffsetRecord>(GroupRecordSerde.Decode(record.Key, record.Value));
        Assert.Equal(("g", new TopicPartition("t", 2), new CommittedOffset(5, 7, "m", 1000)), (decoded.Group, decoded.Partition, decoded.Offset));
    }

    [Fact]
    public void Group_metadata_key_is_version_2_and_a_null_value_is_a_tombstone()
    {
        var key = GroupRecordSerde.GroupKey("g");
        Assert.Equal("0002" + "0001" + "67", Convert.ToHexString(key));
        var decoded = Assert.IsType<GroupRecordSerde.GroupMetadataRecord>(GroupRecordSerde.Decode(key, null));
        Assert.Equal(("g", null), (decoded.Group, decoded.Value));
    }

    [Fact]
    public void Keys_of_other_record_types_are_skipped()
    {
        // Version 3+ keys belong to the new consumer protocol's records.
        Assert.Null(GroupRecordSerde.Decode([0, 3, 0, 1, 0x67], [0, 0]));
    }
}
