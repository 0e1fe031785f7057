namespace Broker.Log;

/// <summary>Moving the ends of the log: retention, DeleteRecords and truncation.</summary>
public sealed partial class PartitionLog
{
    /// <summary>
    /// One retention pass, which the broker runs every <c>log.retention.check.interval.ms</c>:
    /// whole segments past <c>retention.ms</c>, then past <c>retention.bytes</c>, then below the log
    /// start offset. Only segments entirely below the high watermark go. Returns how many went.
    /// </summary>
    public int DeleteExpiredSegments()
    {
        lock (_lock)
        {
            ThrowIfClosed();
            var config = Config;
            // A compact-only log keeps old segments: the cleaner, not time or size, bounds it (Kafka's cleanup.policy).
            if (!config.Delete)
                return DeleteLogStartOffsetBreached();
            return DeleteRetentionMsBreached(config) + DeleteRetentionSizeBreached(config) + DeleteLogStartOffsetBreached();
        }
    }

    private int DeleteRetentionMsBreached(LogConfig config)
    {
        if (config.RetentionMs < 0)
            return 0;
        var now = _context.NowMs;
        return DeleteOldSegments((segment, _) => now - segment.LargestTimestamp > config.RetentionMs);
    }

    private int DeleteRetentionSizeBreached(LogConfig config)
    {
        var excess = Size - config.RetentionBytes;
        if (config.RetentionBytes < 0 || excess <= 0)
            return 0;
        return DeleteOldSegments((segment, _) =>
        {
            if (excess < segment.Size)
                return false;
            excess -= segment.Size;
            return true;
        });
    }

    private int DeleteLogStartOffsetBreached() =>
        DeleteOldSegments((_, next) => next is not null && next.BaseOffset <= _logStartOffset);

    /// <summary>
    /// Deletes the oldest segments while <paramref name="deletable"/> holds (it sees each segment
    /// and the one after it). If every segment qualifies the active one is rolled first, so the
    /// log keeps an active segment and its log end offset, as Kafka does.
    /// </summary>
    private int DeleteOldSegments(Func<LogSegment, LogSegment?, bool> deletable)
    {
        var segments = _segments;
        var count = 0;
        while (count < segments.Length)
        {
            var segment = segments[count];
            var next = count + 1 < segments.Length ? segments[count + 1] : null;
            var upperBound = next?.BaseOffset ?? _logEndOffset;
            var emptyActive = next is null && segment.Size == 0;
            if (_highWatermark < upperBound || emptyActive || !deletable(segment, next))
                break;
            count++;
        }
        if (count == 0)
            return 0;
        if (count == segments.Length)
            RollLocked(_logEndOffset);
        RemoveSegments(segments[..count]);
        AdvanceLogStartOffset(_segments[0].BaseOffset);
        return count;
    }

    private void AdvanceLogStartOffset(long offset)
    {
        if (offset <= _logStartOffset)
            return;
        Volatile.Write(ref _logStartOffset, offset);
        LeaderEpochs.TruncateFromStart(offset);
        _producers.TruncateHead(offset);
    }

    /// <summary>
    /// DeleteRecords: the log now starts at <paramref name="offset"/> and whole segments below it
    /// are deleted. Returns the new log start offset.
    /// </summary>
    /// <exception cref="OffsetOutOfRangeException">Beyond the high watermark.</exception>
    public long DeleteRecordsBefore(long offset)
    {
        lock (_lock)
        {
            ThrowIfClosed();
            if (offset > _highWatermark)
                throw new OffsetOutOfRangeException($"Cannot delete records of {TopicPartition} before {offset}: the high watermark is {_highWatermark}.");
            if (offset > _logStartOffset)
            {
                AdvanceLogStartOffset(offset);
                DeleteLogStartOffsetBreached();
            }
            return _logStartOffset;
        }
    }

    /// <summary>
    /// Removes every batch holding <paramref name="targetOffset"/> or later (a replica diverged
    /// from its leader). A batch is never split, so the log end offset becomes the end of the last
    /// batch kept. Returns whether anything was removed.
    /// </summary>
    public bool TruncateTo(long targetOffset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(targetOffset);
        lock (_lock)
        {
            ThrowIfClosed();
            if (targetOffset >= _logEndOffset)
                return false;
            if (targetOffset < _segments[0].BaseOffset)
            {
                TruncateFullyAndStartAtLocked(targetOffset);
                return true;
            }
            RemoveSegments(_segments.Where(s => s.BaseOffset > targetOffset).ToArray());
            var active = ActiveSegment;
            active.TruncateTo(targetOffset, _context.NowMs);
            active.PrepareActive();
            var end = active.NextOffset;
            Volatile.Write(ref _logEndOffset, end);
            Volatile.Write(ref _logStartOffset, Math.Min(_logStartOffset, end));
            Volatile.Write(ref _highWatermark, Math.Min(_highWatermark, end));
            Volatile.Write(ref _recoveryPoint, Math.Min(_recoveryPoint, end));
            LeaderEpochs.TruncateFromEnd(end);
            LoadProducerState();
            return true;
        }
    }

    /// <summary>Deletes all data and starts empty at <paramref name="offset"/> (a replica too far behind its leader's log start).</summary>
    public void TruncateFullyAndStartAt(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        lock (_lock)
        {
            ThrowIfClosed();
            TruncateFullyAndStartAtLocked(offset);
        }
    }

    private void TruncateFullyAndStartAtLocked(long offset)
    {
        var old = _segments;
        // Renamed before the new segment is created, in case it takes the same base offset.
        RetireSegments(old);
        Volatile.Write(ref _segments, [LogSegment.Create(Directory, offset, Config, _context.NowMs, _context.Files)]);
        Volatile.Write(ref _logEndOffset, offset);
        Volatile.Write(ref _logStartOffset, offset);
        Volatile.Write(ref _highWatermark, offset);
        Volatile.Write(ref _recoveryPoint, offset);
        LeaderEpochs.Clear();
        _producers.Clear();
        DeleteProducerSnapshotsBelow(long.MaxValue);
    }
}
