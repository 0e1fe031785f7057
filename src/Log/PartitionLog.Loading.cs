namespace Broker.Log;

/// <summary>Opening a partition directory: cleanup, segment loading and crash recovery.</summary>
public sealed partial class PartitionLog
{
    /// <summary>
    /// Opens (creating if needed) the log in <paramref name="directory"/>, named <c>topic-N</c>.
    /// Without a clean shutdown, every segment from the one holding the recovery point on is
    /// validated batch by batch: the first torn or corrupt batch and everything after it are cut.
    /// </summary>
    public static PartitionLog Open(string directory, LogConfig config, LogCheckpoint checkpoint = default, LogContext? context = null)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));
        if (!TopicPartition.TryParse(name, out var topicPartition))
            throw new ArgumentException($"'{name}' is not a partition directory name (topic-N).", nameof(directory));
        System.IO.Directory.CreateDirectory(directory);
        var log = new PartitionLog(directory, topicPartition, config, context ?? LogContext.Default);
        try
        {
            log.Load(checkpoint);
        }
        catch
        {
            log.CloseSegments();
            throw;
        }
        return log;
    }

    private void Load(LogCheckpoint checkpoint)
    {
        CompleteInterruptedSwaps();
        RemoveLeftoverFiles();
        var now = _context.NowMs;
        var segments = System.IO.Directory.EnumerateFiles(Directory, "*" + LogFileNames.LogSuffix)
            .Select(p => LogFileNames.TryParseSegmentFile(Path.GetFileName(p), LogFileNames.LogSuffix, out var b) ? b : -1)
            .Where(b => b >= 0)
            .Order()
            .ToList()
            .ConvertAll(b => LogSegment.Open(Directory, b, Config, now, _context.Files));
        var loaded = segments.Count;
        int recovered = 0, deleted = 0;
        long batches = 0, truncated = 0;
        var activeReady = false;

        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            var isLast = i == segments.Count - 1;
            var nextBase = isLast ? long.MaxValue : segments[i + 1].BaseOffset;
            var needsRecovery = !segment.HasIndexFiles
                || (!checkpoint.CleanShutdown && nextBase > checkpoint.RecoveryPoint)
                || (isLast && !segment.IndexesLookSane());
            if (!needsRecovery)
                continue;
            var result = segment.Recover(active: isLast, AssignEpochOfRecoveredBatch);
            recovered++;
            batches += result.Batches;
            truncated += result.TruncatedBytes;
            activeReady = isLast;
            if (result.Stop is not null)
            {
                // Damage in the middle: what follows cannot be trusted to continue from what was kept.
                foreach (var later in segments.Skip(i + 1))
                    later.DeleteFiles();
                deleted = segments.Count - i - 1;
                segments.RemoveRange(i + 1, deleted);
                activeReady = true;
                if (!isLast)
                    segment.PrepareActive();
                break;
            }
        }

        if (segments.Count == 0)
            segments.Add(LogSegment.Create(Directory, Math.Max(0, checkpoint.LogStartOffset), Config, now, _context.Files));
        else if (!activeReady)
            segments[^1].PrepareActive();
        _segments = [.. segments];
        _logEndOffset = segments[^1].NextOffset;
        _logStartOffset = Math.Max(checkpoint.LogStartOffset, segments[0].BaseOffset);
        if (_logStartOffset > _logEndOffset)
        {
            // DeleteRecords moved the start past data a crash then lost: begin again where the start was.
            TruncateFullyAndStartAtLocked(_logStartOffset);
        }
        _recoveryPoint = checkpoint.CleanShutdown ? _logEndOffset : Math.Min(checkpoint.RecoveryPoint, _logEndOffset);
        _highWatermark = Math.Clamp(checkpoint.HighWatermark, _logStartOffset, _logEndOffset);
        _lastFlushMs = now;
        LeaderEpochs.TruncateFromEnd(_logEndOffset);
        LeaderEpochs.TruncateFromStart(_logStartOffset);
        TopicId = PartitionMetadataFile.Read(Directory);
        LoadProducerState();
        LoadStats = new LogLoadStats(checkpoint.CleanShutdown, loaded, recovered, batches, truncated, deleted);
    }

    /// <summary>Recovery rebuilds the epoch cache from the batches too, in case the checkpoint lagged.</summary>
    private void AssignEpochOfRecoveredBatch(BatchInfo batch)
    {
        if (batch.PartitionLeaderEpoch >= 0 && batch.PartitionLeaderEpoch > LeaderEpochs.LatestEpoch)
            LeaderEpochs.Assign(batch.PartitionLeaderEpoch, batch.BaseOffset);
    }

    /// <summary>
    /// Files a previous run left half done: segments awaiting deletion, temporary checkpoints,
    /// unfinished cleaner output and indexes whose log is gone.
    /// </summary>
    private void RemoveLeftoverFiles()
    {
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory))
        {
            var name = Path.GetFileName(path);
            if (name.EndsWith(LogFileNames.DeletedSuffix, StringComparison.Ordinal)
                || name.EndsWith(LogFileNames.CleanedSuffix, StringComparison.Ordinal)
                || name.EndsWith(LogFileNames.SwapSuffix, StringComparison.Ordinal)
                || name.EndsWith(LogFileNames.TempSuffix, StringComparison.Ordinal))
            {
                File.Delete(path);
                continue;
            }
            foreach (var suffix in (ReadOnlySpan<string>)[LogFileNames.IndexSuffix, LogFileNames.TimeIndexSuffix])
            {
                if (LogFileNames.TryParseSegmentFile(name, suffix, out var baseOffset)
                    && !File.Exists(LogFileNames.SegmentFile(Directory, baseOffset, LogFileNames.LogSuffix)))
                    File.Delete(path);
            }
        }
    }

    /// <summary>Flushes, trims every segment's indexes and closes the files. The log cannot be used afterwards.</summary>
    public void Close()
    {
        lock (_lock)
        {
            if (_closed)
                return;
            Flush();
            TakeProducerSnapshot(_logEndOffset);
            _closed = true;
            CloseSegments();
        }
    }

    /// <summary>
    /// Closes the files without flushing or writing indexes (Kafka's <c>closeHandlers</c>): for a
    /// log directory that failed, where writing more would only fail again. Tests use it to crash.
    /// </summary>
    public void CloseHandles()
    {
        lock (_lock)
        {
            _closed = true;
            foreach (var segment in _segments)
                segment.CloseHandle();
        }
    }

    private void CloseSegments()
    {
        foreach (var segment in _segments)
            segment.Close();
    }

    public void Dispose() => Close();

    public override string ToString() => $"PartitionLog({TopicPartition}, [{LogStartOffset}, {LogEndOffset}), {_segments.Length} segments)";
}
