using System.Buffers.Binary;
using System.Text;
using Broker.Log;
using Broker.Protocol;
using Broker.Protocol.Compression;
using Broker.Protocol.Records;
using Broker.Protocol.Wire;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>
/// Batches whose framing and CRC are valid but whose contents are not: each is refused as Kafka's
/// LogValidator refuses it, nothing of it is stored (the log end offset does not move), and
/// librdkafka reads on past the point where it was refused.
/// </summary>
public sealed class ProduceValidationTests(SharedBroker shared, ITestOutputHelper output) : EndToEndTest(output), IClassFixture<SharedBroker>
{
    private readonly E2EBroker _broker = shared.Broker;

    public static TheoryData<string, ErrorCode, int?> BadBatches => new()
    {
        { "record count above the records present", ErrorCode.InvalidRecord, 2 },
        { "record count below the records present", ErrorCode.InvalidRecord, 2 },
        { "offset deltas that are not 0..n-1", ErrorCode.InvalidRecord, 1 },
        { "last offset delta of 2^31-1", ErrorCode.InvalidRecord, null },
        { "last offset delta disagreeing with the count", ErrorCode.InvalidRecord, null },
        { "record length past the batch", ErrorCode.InvalidRecord, 0 },
        { "control batch from a client", ErrorCode.InvalidRecord, null },
        { "gzip batch whose count is above its records", ErrorCode.InvalidRecord, 2 },
        { "lz4 batch with an offset delta out of order", ErrorCode.InvalidRecord, 1 },
        { "zstd batch whose payload does not decompress", ErrorCode.CorruptMessage, null },
        { "timestamp two hours in the future", ErrorCode.InvalidTimestamp, 0 },
    };

    [Theory]
    [MemberData(nameof(BadBatches))]
    public async Task A_batch_with_a_valid_crc_but_invalid_contents_is_refused_and_consumers_read_past_it(string kind, ErrorCode expected, int? recordIndex)
    {
        Watch(_broker);
        var topic = UniqueTopic("validate");
        await _broker.CreateTopicAsync(topic, 1);
        await Clients.KcatAsync(_broker, "before\n", "-P", "-t", topic);
        using var connection = await _broker.ConnectAsync();

        var rejected = await RawProduce.SendAsync(connection, topic, BadBatch(kind));
        Assert.Equal(((short)expected, -1L), (rejected.ErrorCode, rejected.BaseOffset));
        Assert.False(string.IsNullOrEmpty(rejected.ErrorMessage));
        Assert.Equal(recordIndex is null ? [] : [recordIndex.Value], rejected.RecordErrors.Select(e => e.BatchIndex).Take(1));

        // Nothing of the refused batch was stored: the next batch lands right after "before".
        var accepted = await RawProduce.SendAsync(connection, topic, RawProduce.Batch(["after"]));
        Assert.Equal(((short)ErrorCode.None, 1L), (accepted.ErrorCode, accepted.BaseOffset));
        await Clients.KcatAsync(_broker, "last\n", "-P", "-t", topic);
        var consumed = Clients.ParseKcatJson(await Clients.KcatAsync(_broker, null, "-C", "-t", topic, "-e", "-J", "-q"));
        Assert.Equal([(0L, "before"), (1L, "after"), (2L, "last")], consumed.Select(c => (c.Offset, c.Value!)));
        var stored = LogVerifier.VerifyPartitions([Path.Combine(_broker.DataDir, topic + "-0")]);
        Assert.Equal((3L, 0), (stored.Records, stored.Problems.Count));
    }

    [Theory]
    [InlineData("__consumer_offsets")]
    [InlineData("__transaction_state")]
    public async Task A_client_produce_to_an_internal_topic_is_refused_with_invalid_topic(string topic)
    {
        using var connection = await Watch(_broker).ConnectAsync();
        var response = await RawProduce.SendAsync(connection, topic, RawProduce.Batch(["x"]));
        Assert.Equal((short)ErrorCode.InvalidTopicException, response.ErrorCode);
        Assert.Equal($"Cannot append to internal topic {topic}", response.ErrorMessage);
    }

    /// <summary>A batch for <paramref name="kind"/>, CRC re-stamped so only its contents are wrong.</summary>
    public static byte[] BadBatch(string kind)
    {
        var batch = kind switch
        {
            "gzip batch whose count is above its records" => Compressed(CompressionType.Gzip, "a", "b"),
            "lz4 batch with an offset delta out of order" => Compressed(CompressionType.Lz4, "a", "b", "c"),
            "zstd batch whose payload does not decompress" => Compressed(CompressionType.Zstd, "a", "b"),
            "timestamp two hours in the future" => Batch(DateTimeOffset.UtcNow.AddHours(2).ToUnixTimeMilliseconds(), "a"),
            _ => Batch(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "a", "b", "c"),
        };
        switch (kind)
        {
            case "record count above the records present":
                batch = Batch(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "a", "b");
                SetCount(batch, 3);
                break;
            case "record count below the records present":
                SetCount(batch, 2);
                break;
            case "offset deltas that are not 0..n-1":
                batch[OffsetDeltaPosition(batch, 1)] = Zigzag(5);
                break;
            case "last offset delta of 2^31-1":
                BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchLayout.LastOffsetDelta), int.MaxValue);
                break;
            case "last offset delta disagreeing with the count":
                BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchLayout.LastOffsetDelta), 5);
                break;
            case "record length past the batch":
                batch[RecordBatchLayout.HeaderSize] = Zigzag(60);
                break;
            case "control batch from a client":
                var attributes = BinaryPrimitives.ReadInt16BigEndian(batch.AsSpan(RecordBatchLayout.Attributes));
                BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(RecordBatchLayout.Attributes), (short)(attributes | RecordBatchLayout.ControlFlag));
                break;
            case "gzip batch whose count is above its records":
                SetCount(batch, 3);
                break;
            case "lz4 batch with an offset delta out of order":
                return RecompressWithOffsetDelta(CompressionType.Lz4, batch, record: 1, Zigzag(2));
            case "zstd batch whose payload does not decompress":
                for (var i = RecordBatchLayout.HeaderSize + 4; i < batch.Length; i++)
                    batch[i] ^= 0x5A;
                break;
        }
        RecordBatchPatch.UpdateCrc(batch);
        return batch;
    }

    private static byte[] Batch(long timestamp, params string[] values)
    {
        using var builder = new RecordBatchBuilder();
        foreach (var value in values)
            builder.Append(timestamp, null, Encoding.UTF8.GetBytes(value));
        using var built = builder.Build();
        return built.WrittenSpan.ToArray();
    }

    private static byte[] Compressed(CompressionType codec, params string[] values)
    {
        using var builder = new RecordBatchBuilder(codec);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var value in values)
            builder.Append(now, null, Encoding.UTF8.GetBytes(value));
        using var built = builder.Build();
        return built.WrittenSpan.ToArray();
    }

    /// <summary>The records of an uncompressed batch with one offset delta replaced, compressed again with <paramref name="codec"/>.</summary>
    private static byte[] RecompressWithOffsetDelta(CompressionType codec, byte[] compressed, int record, byte offsetDelta)
    {
        var plain = Batch(new RecordBatchHeader(compressed).BaseTimestamp, "a", "b", "c");
        plain[OffsetDeltaPosition(plain, record)] = offsetDelta;
        var records = plain.AsSpan(RecordBatchLayout.HeaderSize);
        using var output = new PooledBufferWriter(256);
        RecordCompression.Compress(codec, records, output);
        var batch = new byte[RecordBatchLayout.HeaderSize + output.WrittenCount];
        compressed.AsSpan(0, RecordBatchLayout.HeaderSize).CopyTo(batch);
        output.WrittenSpan.CopyTo(batch.AsSpan(RecordBatchLayout.HeaderSize));
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchLayout.BatchLength), batch.Length - RecordBatchLayout.LogOverhead);
        RecordBatchPatch.UpdateCrc(batch);
        return batch;
    }

    private static void SetCount(byte[] batch, int count)
    {
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchLayout.RecordsCount), count);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchLayout.LastOffsetDelta), count - 1);
    }

    /// <summary>
    /// Where record <paramref name="index"/>'s offset delta sits in an uncompressed batch of one-letter
    /// values sharing one timestamp: length, attributes and timestamp delta take a byte each.
    /// </summary>
    private static int OffsetDeltaPosition(byte[] batch, int index)
    {
        var position = RecordBatchLayout.HeaderSize;
        for (var i = 0; i < index; i++)
            position += 1 + (batch[position] >> 1);
        Assert.Equal(Zigzag(index), batch[position + 3]);
        return position + 3;
    }

    private static byte Zigzag(int value) => (byte)(value << 1);
}
