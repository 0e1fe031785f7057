namespace Broker.Log;

/// <summary>Rolling, flushing and removing segments.</summary>
public sealed partial class PartitionLog
{
    private LogSegment MaybeRoll(int bytes, BatchWalk walk, LogConfig config)
    {
        var active = ActiveSegment;
        return active.ShouldRoll(bytes, walk.MaxTimestamp, walk.LastOffset, _context.NowMs, config)
            ? RollLocked(walk.FirstOffset)
            : active;
    }

    /// <summary>Starts a new active segment at the log end offset (Kafka's <c>roll()</c>).</summary>
    public LogSegment Roll()
    {
        lock (_lock)
        {
            ThrowIfClosed();
            return RollLocked(_logEndOffset);
        }
    }

    /// <summary>
    /// A follower's batches may start past the log end offset; the new segment then starts where
    /// they do, so its relative offsets fit in 32 bits.
    /// </summary>
    private LogSegment RollLocked(long expectedNextOffset)
    {
        var baseOffset = Math.Max(expectedNextOffset, _logEndOffset);
        var segments = _segments;
        var active = segments[^1];
        if (active.BaseOffset == baseOffset && active.Size == 0)
            return active;

        LogSegment[] next;
        if (active.Size == 0)
        {
            // An empty active segment is replaced, not kept as a hole in the list.
            RetireSegments([active]);
            next = [.. segments[..^1], LogSegment.Create(Directory, baseOffset, Config, _context.NowMs, _context.Files)];
        }
        else
        {
            active.OnBecomeInactive();
            next = [.. segments, LogSegment.Create(Directory, baseOffset, Config, _context.NowMs, _context.Files)];
        }
        Volatile.Write(ref _segments, next);
        TakeProducerSnapshot(baseOffset);
        // Kafka flushes the rolled segment off the append path; it moves the recovery point on,
        // which is what keeps crash recovery short when flush.messages/flush.ms are left unset.
        _context.Run(TimeSpan.Zero, () => FlushUpTo(baseOffset));
        return next[^1];
    }

    /// <summary>Fsyncs everything appended so far and moves the recovery point to the log end offset.</summary>
    public void Flush() => FlushUpTo(LogEndOffset);

    /// <summary>Kafka's <c>flush.ms</c>: flushes when the last flush is at least that old. Returns whether it flushed.</summary>
    public bool FlushIfDue()
    {
        var flushMs = Config.FlushMs;
        if (flushMs == long.MaxValue || _context.NowMs - Volatile.Read(ref _lastFlushMs) < flushMs)
            return false;
        Flush();
        return true;
    }

    /// <summary>
    /// Fsyncs the segments holding offsets from the recovery point up to <paramref name="offset"/>,
    /// outside the append lock, then advances the recovery point.
    /// </summary>
    internal void FlushUpTo(long offset)
    {
        LogSegment[] segments;
        long from;
        lock (_lock)
        {
            if (_closed || offset <= _recoveryPoint)
                return;
            segments = _segments;
            from = _recoveryPoint;
        }
        for (var i = 0; i < segments.Length; i++)
        {
            var end = i + 1 < segments.Length ? segments[i + 1].BaseOffset : long.MaxValue;
            if (segments[i].BaseOffset >= offset || end <= from)
                continue;
            try
            {
                segments[i].Flush();
            }
            catch (ObjectDisposedException)
            {
                // Deleted or closed while we were flushing: nothing of it needs to be durable any more.
            }
        }
        lock (_lock)
        {
            var flushedTo = Math.Min(offset, _logEndOffset);
            if (flushedTo > _recoveryPoint)
                Volatile.Write(ref _recoveryPoint, flushedTo);
            Volatile.Write(ref _lastFlushMs, _context.NowMs);
        }
    }

    /// <summary>Takes segments out of the list and deletes them once <c>file.delete.delay.ms</c> has passed.</summary>
    private void RemoveSegments(IReadOnlyCollection<LogSegment> doomed)
    {
        if (doomed.Count == 0)
            return;
        Volatile.Write(ref _segments, _segments.Where(s => !doomed.Contains(s)).ToArray());
        RetireSegments(doomed);
        DeleteProducerSnapshotsBelow(_segments[0].BaseOffset);
    }

    /// <summary>
    /// Renames to <c>*.deleted</c> now and deletes later: a fetch that already holds a region of
    /// the segment can still copy it, as Kafka's asynchronous delete allows.
    /// </summary>
    private void RetireSegments(IReadOnlyCollection<LogSegment> doomed)
    {
        foreach (var segment in doomed)
        {
            segment.RenameForDeletion();
            DeleteProducerSnapshot(segment.BaseOffset);
        }
        _context.Run(TimeSpan.FromMilliseconds(Config.FileDeleteDelayMs), () =>
        {
            foreach (var segment in doomed)
                segment.DeleteFiles();
        });
    }
}
