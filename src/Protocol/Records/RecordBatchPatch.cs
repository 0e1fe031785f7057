using System.Buffers.Binary;

namespace Broker.Protocol.Records;

/// <summary>
/// In-place edits the broker makes to a batch on append. The base offset and partition leader
/// epoch sit before the CRC's coverage and are free to change; anything else re-stamps the CRC.
/// </summary>
public static class RecordBatchPatch
{
    public static void SetBaseOffset(Span<byte> batch, long baseOffset) =>
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.BaseOffset..], baseOffset);

    public static void SetPartitionLeaderEpoch(Span<byte> batch, int partitionLeaderEpoch) =>
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.PartitionLeaderEpoch..], partitionLeaderEpoch);

    /// <summary>
    /// Stamps the broker's clock on a batch for a topic with <c>message.timestamp.type=LogAppendTime</c>:
    /// consumers then read <paramref name="timestamp"/> as every record's timestamp.
    /// </summary>
    /// <param name="batch">Exactly one batch: the CRC is recomputed over all of it.</param>
    public static void SetLogAppendTime(Span<byte> batch, long timestamp) =>
        SetMaxTimestamp(batch, TimestampType.LogAppendTime, timestamp);

    /// <summary>Sets the timestamp type flag and max timestamp, then recomputes the CRC.</summary>
    /// <param name="batch">Exactly one batch: the CRC is recomputed over all of it.</param>
    public static void SetMaxTimestamp(Span<byte> batch, TimestampType timestampType, long maxTimestamp)
    {
        if (timestampType == TimestampType.NoTimestamp)
            throw new ArgumentOutOfRangeException(nameof(timestampType), "A v2 batch always has a timestamp type.");
        var header = new RecordBatchHeader(batch);
        if (header.TotalSize != batch.Length)
            throw new ArgumentException($"Expected exactly one batch of {header.TotalSize} bytes, got {batch.Length}.", nameof(batch));
        if (header.TimestampType == timestampType && header.MaxTimestamp == maxTimestamp)
            return;

        short attributes = header.Attributes;
        attributes = timestampType == TimestampType.LogAppendTime
            ? (short)(attributes | RecordBatchLayout.TimestampTypeFlag)
            : (short)(attributes & ~RecordBatchLayout.TimestampTypeFlag);
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchLayout.Attributes..], attributes);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.MaxTimestamp..], maxTimestamp);
        UpdateCrc(batch);
    }

    /// <summary>Recomputes and stores the CRC32C of exactly one batch.</summary>
    public static void UpdateCrc(Span<byte> batch) =>
        BinaryPrimitives.WriteUInt32BigEndian(batch[RecordBatchLayout.Crc..], RecordBatchHeader.ComputeCrc(batch));
}
