namespace Broker.Log;

/// <summary>What an append did: the offsets it assigned and what a Produce response reports.</summary>
/// <param name="OffsetOfMaxTimestamp">Last offset of the first batch holding <paramref name="MaxTimestamp"/>.</param>
public readonly record struct LogAppendInfo(
    long FirstOffset,
    long LastOffset,
    long MaxTimestamp,
    long OffsetOfMaxTimestamp,
    int BatchCount,
    int RecordCount,
    int Bytes,
    long LogStartOffset)
{
    /// <summary>
    /// The append repeated one of the last batches of its idempotent producer (a retry): nothing
    /// was written and the offsets are those the batch got the first time.
    /// </summary>
    public bool Duplicate { get; init; }
}

/// <summary>A Fetch read: whole batches from one segment plus the offsets the response carries.</summary>
/// <param name="FirstOffset">Base offset of the first batch returned, or -1 when none.</param>
public readonly record struct LogReadResult(
    FileRegion Records,
    long FirstOffset,
    long HighWatermark,
    long LogStartOffset,
    long LogEndOffset);

/// <summary>A ListOffsets answer: a record's offset and timestamp and the leader epoch of its batch (-1 if unknown).</summary>
public readonly record struct TimestampAndOffset(long Timestamp, long Offset, int LeaderEpoch);
