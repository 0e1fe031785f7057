using System.Buffers.Binary;
using Broker.Protocol.Records;

namespace Broker.Log.Tests.Support;

/// <summary>
/// Emits valid uncompressed record batch v2 bytes for tests: header, records with
/// zig-zag varint framing, CRC32C via <see cref="RecordBatchHeader.ComputeCrc"/>.
/// </summary>
internal static class TestBatches
{
    /// <summary>One batch of <paramref name="records"/> records stamped base, base+1, … milliseconds.</summary>
    public static byte[] Create(int records = 1, long timestamp = 1_000, int valueSize = 16, long baseOffset = 0, int leaderEpoch = -1) =>
        CreateWithTimestamps(Enumerable.Range(0, records).Select(i => timestamp + i).ToArray(), valueSize, baseOffset, leaderEpoch);

    public static byte[] CreateWithTimestamps(long[] timestamps, int valueSize = 16, long baseOffset = 0, int leaderEpoch = -1, short attributes = 0)
    {
        var records = new List<byte>();
        var baseTimestamp = timestamps.Length == 0 ? RecordBatchLayout.NoTimestamp : timestamps[0];
        for (var i = 0; i < timestamps.Length; i++)
        {
            var body = new List<byte> { 0 };
            WriteVarLong(body, timestamps[i] - baseTimestamp);
            WriteVarLong(body, i);
            WriteVarLong(body, -1);
            WriteVarLong(body, valueSize);
            body.AddRange(Enumerable.Range(0, valueSize).Select(b => (byte)(b + i)));
            WriteVarLong(body, 0);
            WriteVarLong(records, body.Count);
            records.AddRange(body);
        }

        var batch = new byte[RecordBatchLayout.HeaderSize + records.Count];
        var span = batch.AsSpan();
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchLayout.BaseOffset..], baseOffset);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.BatchLength..], batch.Length - RecordBatchLayout.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.PartitionLeaderEpoch..], leaderEpoch);
        span[RecordBatchLayout.Magic] = RecordBatchLayout.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatchLayout.Attributes..], attributes);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.LastOffsetDelta..], Math.Max(timestamps.Length - 1, 0));
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchLayout.BaseTimestamp..], baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchLayout.MaxTimestamp..], timestamps.Length == 0 ? RecordBatchLayout.NoTimestamp : timestamps.Max());
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchLayout.ProducerId..], RecordBatchLayout.NoProducerId);
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatchLayout.ProducerEpoch..], RecordBatchLayout.NoProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.BaseSequence..], RecordBatchLayout.NoSequence);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.RecordsCount..], timestamps.Length);
        records.CopyTo(batch, RecordBatchLayout.HeaderSize);
        BinaryPrimitives.WriteUInt32BigEndian(span[RecordBatchLayout.Crc..], RecordBatchHeader.ComputeCrc(batch));
        return batch;
    }

    /// <summary>A batch of an idempotent producer: <paramref name="records"/> records from <paramref name="baseSequence"/> on.</summary>
    public static byte[] Idempotent(long producerId, short epoch, int baseSequence, int records = 1, long timestamp = 1_000, bool transactional = false)
    {
        var batch = CreateWithTimestamps(Enumerable.Range(0, records).Select(i => timestamp + i).ToArray(),
            attributes: transactional ? RecordBatchLayout.TransactionalFlag : (short)0);
        var span = batch.AsSpan();
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchLayout.ProducerId..], producerId);
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatchLayout.ProducerEpoch..], epoch);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.BaseSequence..], baseSequence);
        BinaryPrimitives.WriteUInt32BigEndian(span[RecordBatchLayout.Crc..], RecordBatchHeader.ComputeCrc(batch));
        return batch;
    }

    public static byte[] Concat(params byte[][] batches) => batches.SelectMany(b => b).ToArray();

    /// <summary>The headers of concatenated batches, in order.</summary>
    public static List<(long BaseOffset, long LastOffset, int LeaderEpoch, long MaxTimestamp)> Headers(ReadOnlySpan<byte> bytes)
    {
        var result = new List<(long, long, int, long)>();
        while (!bytes.IsEmpty)
        {
            var header = new RecordBatchHeader(bytes);
            result.Add((header.BaseOffset, header.LastOffset, header.PartitionLeaderEpoch, header.MaxTimestamp));
            bytes = bytes[header.TotalSize..];
        }
        return result;
    }

    private static void WriteVarLong(List<byte> output, long value)
    {
        var zigzag = (ulong)((value << 1) ^ (value >> 63));
        while (zigzag >= 0x80)
        {
            output.Add((byte)(zigzag | 0x80));
            zigzag >>= 7;
        }
        output.Add((byte)zigzag);
    }
}
