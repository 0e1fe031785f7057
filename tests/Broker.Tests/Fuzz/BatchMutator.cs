using System.Buffers.Binary;
using Broker.Protocol.Compression;
using Broker.Protocol.Records;
using Broker.Protocol.Wire;

namespace Broker.Broker.Tests.Fuzz;

/// <summary>
/// Mutates a record batch where a broker must look closest: header fields, record counts and
/// deltas, record varints, the codec and its payload, then (nearly always) seals it with a valid
/// CRC32C so the damage gets past the checksum. Also makes decompression bombs: a few kilobytes
/// that inflate past the broker's decompression budget.
/// </summary>
public static class BatchMutator
{
    private const int BombBytes = RecordCompression.DefaultMaxDecompressedSize + 1024 * 1024;

    // Built once per codec: compressing the bomb's zeros is the expensive part.
    private static readonly Lazy<byte[]>[] Bombs = Enum.GetValues<CompressionType>()
        .Select(codec => new Lazy<byte[]>(() => Bomb(codec))).ToArray();

    public static byte[] Mutate(byte[] batch, Random random)
    {
        if (batch.Length < RecordBatchLayout.HeaderSize)
            return FrameMutator.Bytes(batch, random);
        if (random.Next(200) == 0)
            return Bombs[random.Next(1, Bombs.Length)].Value;
        var bytes = (byte[])batch.Clone();
        var operations = 1 + random.Next(3);
        for (var i = 0; i < operations; i++)
            bytes = MutateOnce(bytes, random);
        if (random.Next(20) != 0)
            SealCrc(bytes);
        return bytes;
    }

    private static byte[] MutateOnce(byte[] bytes, Random random)
    {
        var span = bytes.AsSpan();
        switch (random.Next(10))
        {
            case 0:
                BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.BatchLength..], FrameMutator.InterestingInt(random, bytes.Length - RecordBatchLayout.LogOverhead));
                return bytes;
            case 1:
                span[RecordBatchLayout.Magic] = (byte)random.Next(4);
                return bytes;
            case 2:
                BinaryPrimitives.WriteInt16BigEndian(span[RecordBatchLayout.Attributes..], (short)random.Next(0x80));
                return bytes;
            case 3:
                BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.LastOffsetDelta..], FrameMutator.InterestingInt(random, 3));
                return bytes;
            case 4:
                BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.RecordsCount..], FrameMutator.InterestingInt(random, 3));
                return bytes;
            case 5:
                var longField = random.Next(4) switch
                {
                    0 => RecordBatchLayout.BaseOffset,
                    1 => RecordBatchLayout.BaseTimestamp,
                    2 => RecordBatchLayout.MaxTimestamp,
                    _ => RecordBatchLayout.ProducerId,
                };
                BinaryPrimitives.WriteInt64BigEndian(span[longField..], FrameMutator.InterestingLong(random));
                return bytes;
            case 6:
                BinaryPrimitives.WriteInt16BigEndian(span[RecordBatchLayout.ProducerEpoch..], (short)FrameMutator.InterestingInt(random, 0));
                BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.BaseSequence..], FrameMutator.InterestingInt(random, 0));
                return bytes;
            case 7:
                return Recompress(bytes, (CompressionType)random.Next(1, 5), random);
            default:
                // Inside the records: lengths, deltas and header counts are varints.
                var records = bytes[RecordBatchLayout.HeaderSize..];
                return [.. bytes.AsSpan(0, RecordBatchLayout.HeaderSize), .. FrameMutator.Bytes(records, random)];
        }
    }

    /// <summary>The batch's records (mutated or not) compressed with <paramref name="codec"/>, as a client would send them.</summary>
    private static byte[] Recompress(byte[] bytes, CompressionType codec, Random random)
    {
        var records = bytes.AsSpan(RecordBatchLayout.HeaderSize);
        var plain = random.Next(2) == 0 ? records.ToArray() : FrameMutator.Bytes(records.ToArray(), random);
        using var compressed = new PooledBufferWriter(plain.Length + 64);
        RecordCompression.Compress(codec, plain, compressed);
        var result = new byte[RecordBatchLayout.HeaderSize + compressed.WrittenCount];
        bytes.AsSpan(0, RecordBatchLayout.HeaderSize).CopyTo(result);
        compressed.WrittenSpan.CopyTo(result.AsSpan(RecordBatchLayout.HeaderSize));
        var attributes = BinaryPrimitives.ReadInt16BigEndian(result.AsSpan(RecordBatchLayout.Attributes));
        BinaryPrimitives.WriteInt16BigEndian(result.AsSpan(RecordBatchLayout.Attributes), (short)((ushort)(attributes & ~RecordBatchLayout.CompressionMask) | (byte)codec));
        BinaryPrimitives.WriteInt32BigEndian(result.AsSpan(RecordBatchLayout.BatchLength), result.Length - RecordBatchLayout.LogOverhead);
        return result;
    }

    /// <summary>One record whose value is hundreds of megabytes of zeros, compressed with <paramref name="codec"/>.</summary>
    private static byte[] Bomb(CompressionType codec)
    {
        var plain = new byte[BombBytes];
        // One record: length, attributes, timestamp delta, offset delta, key length -1, value length, value..., no headers.
        var writer = new PooledBufferWriter(64);
        var kafka = new KafkaWriter(writer);
        var valueLength = BombBytes - 32;
        kafka.WriteVarint(valueLength + 10);
        kafka.WriteInt8(0);
        kafka.WriteVarlong(0);
        kafka.WriteVarint(0);
        kafka.WriteVarint(-1);
        kafka.WriteVarint(valueLength);
        writer.WrittenSpan.CopyTo(plain);
        writer.Dispose();
        using var compressed = new PooledBufferWriter(1 << 20);
        RecordCompression.Compress(codec, plain, compressed);
        var batch = new byte[RecordBatchLayout.HeaderSize + compressed.WrittenCount];
        var span = batch.AsSpan();
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.BatchLength..], batch.Length - RecordBatchLayout.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.PartitionLeaderEpoch..], -1);
        span[RecordBatchLayout.Magic] = RecordBatchLayout.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatchLayout.Attributes..], (short)codec);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchLayout.ProducerId..], -1);
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatchLayout.ProducerEpoch..], -1);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.BaseSequence..], -1);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.RecordsCount..], 1);
        compressed.WrittenSpan.CopyTo(span[RecordBatchLayout.HeaderSize..]);
        SealCrc(batch);
        return batch;
    }

    private static void SealCrc(byte[] batch)
    {
        if (batch.Length >= RecordBatchLayout.HeaderSize)
            BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(RecordBatchLayout.Crc), RecordBatchHeader.ComputeCrc(batch));
    }
}
