using System.Buffers.Binary;
using Broker.Protocol.Records;

namespace Broker.Protocol.Tests.Records;

/// <summary>
/// Batches whose CRC is right but whose records lie: a client can send those. Every lie must end in
/// a CorruptRecordException, never an out-of-range exception, a huge allocation or a hang.
/// </summary>
public class RecordIteratorHostileTests
{
    /// <summary>An uncompressed batch around hand-written record bytes, with a matching CRC.</summary>
    private static byte[] BatchAround(byte[] records, int count)
    {
        var batch = new byte[RecordBatchLayout.HeaderSize + records.Length];
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchLayout.BatchLength), batch.Length - RecordBatchLayout.LogOverhead);
        batch[RecordBatchLayout.Magic] = RecordBatchLayout.CurrentMagic;
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchLayout.LastOffsetDelta), count - 1);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchLayout.RecordsCount), count);
        records.CopyTo(batch, RecordBatchLayout.HeaderSize);
        RecordBatchPatch.UpdateCrc(batch);
        return batch;
    }

    private static void AssertCorrupt(byte[] batch, int maxDecompressedSize = 256 << 20)
    {
        RecordBatchValidator.Validate(batch);
        Assert.Throws<CorruptRecordException>(() => RecordSnapshot.ReadAll(batch, maxDecompressedSize));
    }

    /// <summary>A well-formed record: length 8, key "k", value "v", no headers.</summary>
    private static readonly byte[] GoodRecord = [0x10, 0x00, 0x00, 0x00, 0x02, (byte)'k', 0x02, (byte)'v', 0x00];

    [Fact]
    public void Well_formed_hand_made_record_reads()
    {
        Assert.Single(RecordSnapshot.ReadAll(BatchAround(GoodRecord, 1)));
    }

    [Theory]
    [InlineData(new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0x0F })] // length int.MaxValue
    [InlineData(new byte[] { 0x01 })] // length -1
    [InlineData(new byte[] { 0x0A, 0x00, 0x00, 0x00, 0x00, 0x00 })] // length 5: below any record
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80 })] // varint longer than five bytes
    [InlineData(new byte[] { 0x12, 0x00, 0x00, 0x00, 0x02, (byte)'k', 0x02, (byte)'v', 0x00 })] // length 9 with 8 bytes
    public void Impossible_record_lengths(byte[] records)
    {
        AssertCorrupt(BatchAround(records, 1));
    }

    [Theory]
    [InlineData(0x03)] // key length -2
    [InlineData(0x7E)] // key length 63, past the record
    public void Impossible_key_lengths(byte keyLength)
    {
        var record = (byte[])GoodRecord.Clone();
        record[4] = keyLength;

        AssertCorrupt(BatchAround(record, 1));
    }

    [Fact]
    public void Value_length_past_the_record()
    {
        var record = (byte[])GoodRecord.Clone();
        record[6] = 0x04;

        AssertCorrupt(BatchAround(record, 1));
    }

    [Theory]
    [InlineData(new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0x0F })] // int.MaxValue headers
    [InlineData(new byte[] { 0x01 })] // -1 headers
    [InlineData(new byte[] { 0x02 })] // one header, no bytes for it
    public void Impossible_header_counts(byte[] headerCount)
    {
        byte[] body = [0x00, 0x00, 0x00, 0x01, 0x01, .. headerCount];
        byte[] record = [(byte)(body.Length * 2), .. body];

        AssertCorrupt(BatchAround(record, 1));
    }

    [Theory]
    [InlineData(new byte[] { 0x01, 0x00 })] // header key length -1: header keys cannot be null
    [InlineData(new byte[] { 0x02, (byte)'h', 0x03 })] // header value length -2
    [InlineData(new byte[] { 0x02, (byte)'h', 0x10 })] // header value past the record
    public void Impossible_header_fields(byte[] header)
    {
        byte[] body = [0x00, 0x00, 0x00, 0x01, 0x01, 0x02, .. header];
        byte[] record = [(byte)(body.Length * 2), .. body];

        AssertCorrupt(BatchAround(record, 1));
    }

    [Fact]
    public void Record_with_bytes_left_after_its_fields()
    {
        byte[] record = [0x12, 0x00, 0x00, 0x00, 0x02, (byte)'k', 0x02, (byte)'v', 0x00, 0xEE];

        AssertCorrupt(BatchAround(record, 1));
    }

    [Fact]
    public void Fewer_records_than_declared()
    {
        AssertCorrupt(BatchAround([.. GoodRecord, .. GoodRecord], 3));
    }

    [Fact]
    public void Bytes_left_after_the_declared_records()
    {
        AssertCorrupt(BatchAround([.. GoodRecord, .. GoodRecord], 1));
    }

    [Fact]
    public void Huge_declared_count_with_no_records_fails_fast()
    {
        AssertCorrupt(BatchAround(GoodRecord, int.MaxValue));
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void Decompression_bomb_batch(CompressionType codec)
    {
        var batch = TestBatches.Build(codec, b => b.Append(1, null, new byte[8 << 20]));

        AssertCorrupt(batch, maxDecompressedSize: 1 << 20);
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Zstd)]
    public void Compressed_payload_that_is_not_the_codec(CompressionType codec)
    {
        var batch = TestBatches.Simple();
        batch[RecordBatchLayout.Attributes + 1] = (byte)codec;
        RecordBatchPatch.UpdateCrc(batch);

        AssertCorrupt(batch);
    }

    [Fact]
    public void Unknown_codec_id()
    {
        var batch = TestBatches.Simple();
        batch[RecordBatchLayout.Attributes + 1] = 6;
        RecordBatchPatch.UpdateCrc(batch);

        AssertCorrupt(batch);
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void Random_mutations_fail_only_as_corrupt_records(CompressionType codec)
    {
        var random = new Random(31 + (int)codec);
        var batch = TestBatches.Build(codec, b =>
        {
            for (int i = 0; i < 50; i++)
                b.Append(1_000 + i, i % 5 == 0 ? null : new[] { (byte)i }, new byte[random.Next(30)], [new RecordHeaderEntry("h", i % 3 == 0 ? null : [1, 2])]);
        });
        for (int i = 0; i < 500; i++)
        {
            var copy = (byte[])batch.Clone();
            for (int flips = random.Next(1, 4); flips > 0; flips--)
                copy[random.Next(RecordBatchLayout.HeaderSize, copy.Length)] = (byte)random.Next(256);
            RecordBatchPatch.UpdateCrc(copy);
            try
            {
                RecordSnapshot.ReadAll(copy, maxDecompressedSize: 1 << 20);
            }
            catch (CorruptRecordException)
            {
            }
        }
    }
}
