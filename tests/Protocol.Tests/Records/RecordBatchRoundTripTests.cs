using Broker.Protocol.Records;

namespace Broker.Protocol.Tests.Records;

public class RecordBatchRoundTripTests
{
    public static TheoryData<CompressionType> Codecs() =>
        [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

    private sealed record Input(long Timestamp, byte[]? Key, byte[]? Value, RecordHeaderEntry[] Headers);

    private static List<Input> RandomRecords(int count, int seed)
    {
        var random = new Random(seed);
        byte[]? Bytes(int max) => random.Next(10) switch
        {
            0 => null,
            1 => [],
            _ => Compression.SampleData.JsonLines(random.Next(1, max), random.Next()),
        };
        var records = new List<Input>();
        long timestamp = 1_700_000_000_000;
        for (int i = 0; i < count; i++)
        {
            // Mostly rising, sometimes earlier than the first: deltas must handle both signs.
            timestamp += random.Next(-1_000, 5_000);
            var headers = new RecordHeaderEntry[random.Next(4)];
            for (int h = 0; h < headers.Length; h++)
                headers[h] = new RecordHeaderEntry(h % 2 == 0 ? $"trace-{h}" : "clé-ü", Bytes(50));
            records.Add(new Input(timestamp, Bytes(40), Bytes(2_000), headers));
        }
        return records;
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Built_batch_validates_and_iterates_to_the_same_records(CompressionType codec)
    {
        var inputs = RandomRecords(2_000, seed: (int)codec);
        var batch = TestBatches.Build(codec, builder =>
        {
            builder.BaseOffset = 5_000;
            foreach (var r in inputs)
                builder.Append(r.Timestamp, r.Key, r.Value, r.Headers);
        });

        Assert.Equal(batch.Length, RecordBatchValidator.Validate(batch));
        var header = new RecordBatchHeader(batch);
        Assert.Equal(codec, header.Compression);
        Assert.Equal(inputs.Count, header.RecordsCount);
        Assert.Equal(inputs.Count - 1, header.LastOffsetDelta);
        Assert.Equal(inputs[0].Timestamp, header.BaseTimestamp);
        Assert.Equal(inputs.Max(r => r.Timestamp), header.MaxTimestamp);

        var expected = inputs.Select((r, i) => new RecordSnapshot(
            5_000 + i, r.Timestamp, RecordSnapshot.Hex(r.Key), RecordSnapshot.Hex(r.Value), RecordSnapshot.HeadersOf(r.Headers)));
        Assert.Equal(expected, RecordSnapshot.ReadAll(batch));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Single_record_with_null_key_and_null_value(CompressionType codec)
    {
        var batch = TestBatches.Build(codec, b => b.Append(42, null, null));

        var record = Assert.Single(RecordSnapshot.ReadAll(batch));
        Assert.Equal(new RecordSnapshot(0, 42, null, null, ""), record);
    }

    [Fact]
    public void Empty_key_and_value_stay_distinct_from_null()
    {
        var batch = TestBatches.Build(CompressionType.None, b =>
        {
            b.Append(1, ReadOnlySpan<byte>.Empty, ReadOnlySpan<byte>.Empty);
            b.Append(1, null, Array.Empty<byte>());
        });

        var records = RecordSnapshot.ReadAll(batch);
        Assert.Equal(("", ""), (records[0].Key, records[0].Value));
        Assert.Equal((null, ""), (records[1].Key, records[1].Value));
    }

    [Fact]
    public void Producer_and_transaction_fields_land_in_the_header()
    {
        var batch = TestBatches.Build(CompressionType.Lz4, b =>
        {
            b.BaseOffset = 77;
            b.PartitionLeaderEpoch = 3;
            b.ProducerId = 123_456_789;
            b.ProducerEpoch = 7;
            b.BaseSequence = 41;
            b.IsTransactional = true;
            b.Append(10, "a"u8, "b"u8);
            b.Append(20, "c"u8, "d"u8);
        });

        var header = new RecordBatchHeader(batch);
        Assert.Equal(
            (77L, 3, (byte)2, 123_456_789L, (short)7, 41, true, false, TimestampType.CreateTime, 78L, 20L),
            (header.BaseOffset, header.PartitionLeaderEpoch, header.Magic, header.ProducerId, header.ProducerEpoch,
             header.BaseSequence, header.IsTransactional, header.IsControl, header.TimestampType, header.LastOffset, header.MaxTimestamp));
    }

    [Fact]
    public void Log_append_time_batch_gives_every_record_the_append_time()
    {
        var batch = TestBatches.Build(CompressionType.Zstd, b =>
        {
            b.TimestampType = TimestampType.LogAppendTime;
            b.LogAppendTime = 9_999;
            b.Append(1, "a"u8, "b"u8);
            b.Append(2, "c"u8, "d"u8);
        });

        var header = new RecordBatchHeader(batch);
        Assert.Equal((TimestampType.LogAppendTime, 9_999L), (header.TimestampType, header.MaxTimestamp));
        Assert.All(RecordSnapshot.ReadAll(batch), r => Assert.Equal(9_999, r.Timestamp));
    }

    [Fact]
    public void Record_exposes_deltas_attributes_and_size()
    {
        var batch = TestBatches.Build(CompressionType.None, b =>
        {
            b.Append(100, "k"u8, "v"u8);
            b.Append(90, "k"u8, "v"u8);
        });

        var iterator = new RecordIterator(batch);
        Assert.True(iterator.MoveNext());
        Assert.True(iterator.MoveNext());
        var second = iterator.Current;
        Assert.Equal((-10L, 1, (sbyte)0, 9, 0), (second.TimestampDelta, second.OffsetDelta, second.Attributes, second.SizeInBytes, second.Headers.Count));
        Assert.False(iterator.MoveNext());
        iterator.Dispose();
    }

    [Fact]
    public void Builder_is_single_use_and_refuses_an_empty_batch()
    {
        using var empty = new RecordBatchBuilder();
        Assert.Throws<InvalidOperationException>(() => empty.Build());

        using var builder = new RecordBatchBuilder();
        builder.Append(1, "k"u8, "v"u8);
        using var built = builder.Build();
        Assert.Throws<InvalidOperationException>(() => builder.Append(2, "k"u8, "v"u8));
        Assert.Throws<InvalidOperationException>(() => builder.Build());
    }

    [Fact]
    public void Builder_refuses_negative_timestamps_other_than_none()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(-1, "k"u8, "v"u8);
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Append(-2, "k"u8, "v"u8));
    }

    [Fact]
    public void WriteTo_appends_the_same_bytes_Build_returns()
    {
        var built = TestBatches.Simple();
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        output.GetSpan(1)[0] = 0xAA;
        output.Advance(1);

        using var builder = new RecordBatchBuilder();
        builder.Append(1000, "k0"u8, "v0"u8);
        builder.Append(1001, "k1"u8, "v1"u8);
        builder.Append(1002, "k2"u8, "v2"u8);
        builder.WriteTo(output);

        Assert.Equal([0xAA, .. built], output.WrittenSpan.ToArray());
    }
}
