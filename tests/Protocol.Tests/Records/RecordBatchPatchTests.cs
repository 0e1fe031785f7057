using Broker.Protocol.Records;

namespace Broker.Protocol.Tests.Records;

public class RecordBatchPatchTests
{
    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Snappy)]
    public void SetLogAppendTime_stamps_the_batch_and_keeps_the_crc_valid(CompressionType codec)
    {
        var batch = TestBatches.Build(codec, b =>
        {
            b.IsTransactional = true;
            b.Append(100, "a"u8, "b"u8);
            b.Append(200, "c"u8, "d"u8);
        });

        RecordBatchPatch.SetLogAppendTime(batch, 5_555);

        RecordBatchValidator.Validate(batch);
        var header = new RecordBatchHeader(batch);
        Assert.Equal(
            (TimestampType.LogAppendTime, 5_555L, 100L, codec, true),
            (header.TimestampType, header.MaxTimestamp, header.BaseTimestamp, header.Compression, header.IsTransactional));
        Assert.All(RecordSnapshot.ReadAll(batch), r => Assert.Equal(5_555, r.Timestamp));
    }

    [Fact]
    public void SetMaxTimestamp_back_to_create_time_restores_record_timestamps()
    {
        var batch = TestBatches.Simple();
        RecordBatchPatch.SetLogAppendTime(batch, 5_555);

        RecordBatchPatch.SetMaxTimestamp(batch, TimestampType.CreateTime, 1002);

        Assert.Equal(TestBatches.Simple(), batch);
    }

    [Fact]
    public void Patching_needs_exactly_one_batch()
    {
        var two = TestBatches.Concat(TestBatches.Simple(), TestBatches.Simple());

        Assert.Throws<ArgumentException>(() => RecordBatchPatch.SetLogAppendTime(two, 1));
    }
}
