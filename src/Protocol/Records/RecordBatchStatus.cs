namespace Broker.Protocol.Records;

/// <summary>What is wrong, if anything, with the bytes at the start of a buffer taken as one batch.</summary>
public enum RecordBatchStatus
{
    Valid,
    /// <summary>The buffer ends before the batch does: a torn write at a log's tail, or a short read.</summary>
    Incomplete,
    /// <summary>The length field is too small to hold a v2 header.</summary>
    InvalidLength,
    InvalidMagic,
    /// <summary>The last offset delta is negative, so offsets would run backwards.</summary>
    InvalidOffsetDelta,
    InvalidRecordCount,
    CrcMismatch,
}
