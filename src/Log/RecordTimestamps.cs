using Broker.Protocol.Records;

namespace Broker.Log;

/// <summary>
/// Finds a record by timestamp inside one uncompressed batch by walking the record framing
/// (length, attributes, timestamp delta, offset delta) and nothing else.
/// Lives here until src/Protocol's record iterator exists; compressed batches would need a codec,
/// so for them the caller falls back to the batch's base offset.
/// </summary>
internal static class RecordTimestamps
{
    /// <summary>The first record at or after <paramref name="minOffset"/> whose timestamp is at least <paramref name="target"/>.</summary>
    /// <returns>False when the batch is compressed, has log-append time, or its records are malformed.</returns>
    public static bool TryFindFirstAtOrAfter(ReadOnlySpan<byte> batch, long target, long minOffset, out long offset, out long timestamp)
    {
        offset = -1;
        timestamp = -1;
        var header = new RecordBatchHeader(batch);
        if (header.Compression != CompressionType.None || header.TimestampType == TimestampType.LogAppendTime)
            return false;
        var position = RecordBatchLayout.HeaderSize;
        for (var i = 0; i < header.RecordsCount; i++)
        {
            if (!TryReadVarLong(batch, ref position, out var length) || length < 0 || position + length > batch.Length)
                return false;
            var next = position + (int)length;
            var cursor = position + 1; // attributes
            if (!TryReadVarLong(batch, ref cursor, out var timestampDelta) || !TryReadVarLong(batch, ref cursor, out var offsetDelta) || cursor > next)
                return false;
            if (header.BaseTimestamp + timestampDelta >= target && header.BaseOffset + offsetDelta >= minOffset)
            {
                offset = header.BaseOffset + offsetDelta;
                timestamp = header.BaseTimestamp + timestampDelta;
                return true;
            }
            position = next;
        }
        return false;
    }

    /// <summary>Zig-zag varint as Kafka writes record fields; int32 varints decode the same way.</summary>
    private static bool TryReadVarLong(ReadOnlySpan<byte> bytes, ref int position, out long value)
    {
        ulong raw = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= bytes.Length)
                break;
            var b = bytes[position++];
            raw |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                value = (long)(raw >> 1) ^ -(long)(raw & 1);
                return true;
            }
        }
        value = 0;
        return false;
    }
}
