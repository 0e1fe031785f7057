using System.Buffers;
using Broker.Protocol.Records;

namespace Broker.Protocol.Tests.Records;

public class ControlBatchTests
{
    private static byte[] MarkerBatch(EndTransactionMarker marker)
    {
        var output = new ArrayBufferWriter<byte>();
        marker.WriteBatch(output, producerId: 4_000, producerEpoch: 2, timestamp: 123, baseOffset: 50, partitionLeaderEpoch: 9);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Record is a ref struct, so Assert.Throws cannot capture it in a lambda.</summary>
    private static void AssertMarkerReadFails(byte[] batch)
    {
        using var records = new RecordIterator(batch);
        Assert.True(records.MoveNext());
        var current = records.Current;
        try
        {
            EndTransactionMarker.Read(current);
            Assert.Fail("the record was read as an end-transaction marker");
        }
        catch (CorruptRecordException)
        {
        }
    }

    [Theory]
    [InlineData(ControlRecordType.Commit, 0)]
    [InlineData(ControlRecordType.Abort, 17)]
    public void Marker_batch_round_trips(ControlRecordType type, int coordinatorEpoch)
    {
        var batch = MarkerBatch(new EndTransactionMarker(type, coordinatorEpoch));

        RecordBatchValidator.Validate(batch);
        var header = new RecordBatchHeader(batch);
        Assert.Equal(
            (true, true, 4_000L, (short)2, RecordBatchLayout.NoSequence, 50L, 9, 1),
            (header.IsControl, header.IsTransactional, header.ProducerId, header.ProducerEpoch, header.BaseSequence,
             header.BaseOffset, header.PartitionLeaderEpoch, header.RecordsCount));
        using var records = new RecordIterator(batch);
        Assert.True(records.MoveNext());
        Assert.Equal(type, ControlRecord.ReadType(records.Current));
        Assert.Equal(new EndTransactionMarker(type, coordinatorEpoch), EndTransactionMarker.Read(records.Current));
    }

    [Fact]
    public void Marker_record_bytes_are_kafkas()
    {
        var batch = MarkerBatch(new EndTransactionMarker(ControlRecordType.Commit, 0x01020304));

        var record = Assert.Single(RecordSnapshot.ReadAll(batch));
        Assert.Equal(("00000001", "000001020304"), (record.Key, record.Value));
    }

    [Fact]
    public void Other_control_types_are_not_end_transaction_markers()
    {
        var batch = TestBatches.Build(CompressionType.None, b =>
        {
            b.IsControl = true;
            Span<byte> key = stackalloc byte[ControlRecord.KeySize];
            ControlRecord.WriteKey(key, ControlRecordType.LeaderChange);
            b.Append(1, key, "x"u8);
        });

        using (var records = new RecordIterator(batch))
        {
            Assert.True(records.MoveNext());
            Assert.Equal(ControlRecordType.LeaderChange, ControlRecord.ReadType(records.Current));
        }
        AssertMarkerReadFails(batch);
    }

    [Theory]
    [InlineData(null, "0000000000")]
    [InlineData("000000", "000000000000")] // key too short
    [InlineData("FFFF0001", "000000000000")] // negative key version
    [InlineData("00000001", "0000000000")] // value too short
    [InlineData("00000001", null)] // no value
    [InlineData("00000001", "FFFF00000000")] // negative value version
    public void Malformed_control_records_are_corrupt(string? keyHex, string? valueHex)
    {
        var batch = TestBatches.Build(CompressionType.None, b =>
        {
            b.IsControl = true;
            b.IsTransactional = true;
            b.Append(1, keyHex is null ? null : Convert.FromHexString(keyHex), valueHex is null ? null : Convert.FromHexString(valueHex));
        });

        AssertMarkerReadFails(batch);
    }

    [Fact]
    public void Newer_key_and_value_versions_are_read_as_version_0()
    {
        var batch = TestBatches.Build(CompressionType.None, b =>
        {
            b.IsControl = true;
            b.Append(1, Convert.FromHexString("00050000"), Convert.FromHexString("00030000002AFFFF"));
        });

        using var records = new RecordIterator(batch);
        Assert.True(records.MoveNext());
        Assert.Equal(new EndTransactionMarker(ControlRecordType.Abort, 42), EndTransactionMarker.Read(records.Current));
    }

    [Fact]
    public void Only_commit_and_abort_can_be_written_as_markers()
    {
        Assert.Throws<InvalidOperationException>(() => MarkerBatch(new EndTransactionMarker(ControlRecordType.SnapshotHeader, 1)));
    }
}
