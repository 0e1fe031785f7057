using Broker.Protocol.Records;

namespace Broker.Log;

/// <summary>
/// The header fields the log needs to place one batch, copied out so they can outlive the bytes
/// they were read from.
/// </summary>
public readonly record struct BatchInfo(
    int Position,
    long BaseOffset,
    int Size,
    int LastOffsetDelta,
    long MaxTimestamp,
    int PartitionLeaderEpoch,
    short Attributes,
    int RecordsCount,
    long ProducerId,
    short ProducerEpoch,
    int BaseSequence)
{
    public long LastOffset => BaseOffset + LastOffsetDelta;
    public long NextOffset => LastOffset + 1;
    /// <summary>File position just past the batch.</summary>
    public int End => Position + Size;
    public CompressionType Compression => (CompressionType)(Attributes & RecordBatchLayout.CompressionMask);
    public bool HasLogAppendTime => (Attributes & RecordBatchLayout.TimestampTypeFlag) != 0;
    public bool IsControl => (Attributes & RecordBatchLayout.ControlFlag) != 0;

    /// <param name="header">At least <see cref="RecordBatchLayout.HeaderSize"/> bytes at the batch's start.</param>
    /// <param name="position">Where the batch starts in its segment.</param>
    public static BatchInfo Read(ReadOnlySpan<byte> header, int position)
    {
        var h = new RecordBatchHeader(header);
        return new BatchInfo(position, h.BaseOffset, h.TotalSize, h.LastOffsetDelta, h.MaxTimestamp,
            h.PartitionLeaderEpoch, h.Attributes, h.RecordsCount, h.ProducerId, h.ProducerEpoch, h.BaseSequence);
    }
}
