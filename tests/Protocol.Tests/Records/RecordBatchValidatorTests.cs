using System.Buffers.Binary;
using Broker.Protocol.Records;

namespace Broker.Protocol.Tests.Records;

public class RecordBatchValidatorTests
{
    [Fact]
    public void Valid_batch_returns_its_size_and_ignores_what_follows()
    {
        var batch = TestBatches.Simple();

        Assert.Equal(batch.Length, RecordBatchValidator.Validate([.. batch, 0xFF, 0xFF]));
    }

    [Fact]
    public void Any_flipped_bit_after_the_crc_field_is_a_crc_mismatch()
    {
        var batch = TestBatches.Simple();
        var random = new Random(5);
        for (int i = 0; i < 200; i++)
        {
            var copy = (byte[])batch.Clone();
            // Skip the length field: changing it is a different failure, tested below.
            copy[random.Next(RecordBatchLayout.Attributes, copy.Length)] ^= (byte)(1 << random.Next(8));

            var e = Assert.Throws<CorruptRecordException>(() => RecordBatchValidator.Validate(copy));
            Assert.Contains("CRC", e.Message);
        }
    }

    [Fact]
    public void Crc_is_not_checked_when_asked_not_to()
    {
        var batch = TestBatches.Simple();
        batch[^1] ^= 1;

        Assert.Equal(batch.Length, RecordBatchValidator.Validate(batch, verifyCrc: false));
    }

    [Fact]
    public void Base_offset_and_leader_epoch_are_outside_the_crc()
    {
        var batch = TestBatches.Simple();
        RecordBatchPatch.SetBaseOffset(batch, 1_000_000);
        RecordBatchPatch.SetPartitionLeaderEpoch(batch, 12);

        RecordBatchValidator.Validate(batch);
        var header = new RecordBatchHeader(batch);
        Assert.Equal((1_000_000L, 12), (header.BaseOffset, header.PartitionLeaderEpoch));
        Assert.Equal([1_000_000L, 1_000_001L, 1_000_002L], RecordSnapshot.ReadAll(batch).Select(r => r.Offset));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void Magic_other_than_2_is_refused(byte magic)
    {
        var batch = TestBatches.Simple();
        batch[RecordBatchLayout.Magic] = magic;

        var e = Assert.Throws<CorruptRecordException>(() => RecordBatchValidator.Validate(batch, verifyCrc: false));
        Assert.Contains("magic", e.Message);
    }

    [Fact]
    public void Truncated_batch_is_refused_at_every_length()
    {
        var batch = TestBatches.Simple();
        for (int length = 0; length < batch.Length; length++)
            Assert.Throws<CorruptRecordException>(() => RecordBatchValidator.Validate(batch.AsSpan(0, length)));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(48)]
    [InlineData(int.MaxValue)]
    public void Impossible_batch_lengths_are_refused(int batchLength)
    {
        var batch = TestBatches.Simple();
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchLayout.BatchLength), batchLength);

        Assert.Throws<CorruptRecordException>(() => RecordBatchValidator.Validate(batch, verifyCrc: false));
    }

    [Fact]
    public void Negative_record_count_is_refused()
    {
        var batch = TestBatches.Simple();
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchLayout.RecordsCount), -1);
        RecordBatchPatch.UpdateCrc(batch);

        Assert.Throws<CorruptRecordException>(() => RecordBatchValidator.Validate(batch));
    }
}
