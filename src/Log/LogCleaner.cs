namespace Broker.Log;

/// <summary>Settings of the broker's log cleaner, Kafka's <c>log.cleaner.*</c> keys.</summary>
public sealed record LogCleanerSettings
{
    /// <summary><c>log.cleaner.dedupe.buffer.size</c>: memory of the key → offset map.</summary>
    public int DedupeBufferBytes { get; init; } = 128 * 1024 * 1024;
    /// <summary><c>log.cleaner.backoff.ms</c>: sleep when no log needs cleaning.</summary>
    public long BackoffMs { get; init; } = 15_000;
    /// <summary><c>log.cleaner.io.max.bytes.per.second</c>.</summary>
    public double IoMaxBytesPerSecond { get; init; } = double.MaxValue;
}

/// <summary>
/// The broker's compaction service (Kafka's <c>LogCleaner</c> and <c>LogCleanerManager</c>): one
/// background thread that repeatedly picks the compacted log with the highest dirty ratio at or
/// above its <c>min.cleanable.dirty.ratio</c> (or past <c>max.compaction.lag.ms</c>), cleans it and
/// records the new dirty start in its log directory's <c>cleaner-offset-checkpoint</c>, so cleaning
/// resumes there after a restart. Leaders and followers each clean their own copy.
/// </summary>
public sealed class LogCleaner : IDisposable
{
    private readonly LogManager _logs;
    private readonly LogContext _context;
    private readonly LogCleanerSettings _settings;
    private readonly LogCompactor _compactor;
    private readonly Dictionary<TopicPartition, long> _checkpoints = new();
    private readonly object _sync = new();
    private readonly CancellationTokenSource _stop = new();
    private Thread? _thread;

    public LogCleaner(LogManager logs, LogCleanerSettings settings, LogContext? context = null)
    {
        _logs = logs;
        _settings = settings;
        _context = context ?? LogContext.Default;
        _compactor = new LogCompactor(settings.DedupeBufferBytes, new IoThrottle(settings.IoMaxBytesPerSecond));
        foreach (var directory in logs.LogDirectories)
            foreach (var (tp, offset) in OffsetCheckpointFile.Read(CheckpointPath(directory)))
                _checkpoints[tp] = offset;
    }

    /// <summary>Told about each cleaning, for the broker's log.</summary>
    public event Action<PartitionLog, CleanResult>? Cleaned;

    /// <summary>Total bytes read and written by cleanings so far.</summary>
    public long BytesRead { get; private set; }
    public long BytesWritten { get; private set; }

    public static string CheckpointPath(string logDirectory) => Path.Combine(logDirectory, LogFileNames.CleanerOffsetCheckpoint);

    public long? CheckpointOf(TopicPartition topicPartition)
    {
        lock (_sync)
            return _checkpoints.TryGetValue(topicPartition, out var offset) ? offset : null;
    }

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "log-cleaner-0", Priority = ThreadPriority.BelowNormal };
        _thread.Start();
    }

    private void Run()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            bool cleaned;
            try
            {
                cleaned = CleanDirtiestLog(token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e)
            {
                _context.BackgroundError(e);
                cleaned = false;
            }
            if (!cleaned)
                token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(Math.Clamp(_settings.BackoffMs, 1, int.MaxValue)));
        }
    }

    /// <summary>One round: cleans the dirtiest cleanable log, if any; returns whether it cleaned one.</summary>
    public bool CleanDirtiestLog(CancellationToken cancel = default)
    {
        var now = _context.NowMs;
        PartitionLog? dirtiest = null;
        CleanableSection best = default;
        foreach (var log in _logs.Logs)
        {
            if (!log.Config.Compact)
                continue;
            var section = CompactorMeasure(log, now);
            if (section is not { } s || s.DirtyBytes == 0)
                continue;
            if ((s.DirtyRatio >= log.Config.MinCleanableDirtyRatio || s.MaxLagExceeded) && (dirtiest is null || s.DirtyRatio > best.DirtyRatio))
            {
                dirtiest = log;
                best = s;
            }
        }
        if (dirtiest is null)
            return false;
        CleanResult? result;
        try
        {
            result = _compactor.Clean(dirtiest, best.FirstDirtyOffset, now, cancel);
        }
        catch (ObjectDisposedException)
        {
            // The log was deleted or closed while being cleaned.
            return false;
        }
        if (result is not { } r)
            return false;
        lock (_sync)
        {
            _checkpoints[dirtiest.TopicPartition] = r.EndOffset;
            BytesRead += r.BytesRead;
            BytesWritten += r.BytesWritten;
        }
        WriteCheckpoint(Path.GetDirectoryName(dirtiest.Directory)!);
        Cleaned?.Invoke(dirtiest, r);
        return true;
    }

    private CleanableSection? CompactorMeasure(PartitionLog log, long now)
    {
        try
        {
            return LogCompactor.Measure(log, CheckpointOf(log.TopicPartition) ?? -1, now);
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }

    private void WriteCheckpoint(string logDirectory)
    {
        List<KeyValuePair<TopicPartition, long>> entries;
        lock (_sync)
        {
            entries = _logs.Logs
                .Where(l => Path.GetDirectoryName(l.Directory) == logDirectory && _checkpoints.ContainsKey(l.TopicPartition))
                .Select(l => KeyValuePair.Create(l.TopicPartition, _checkpoints[l.TopicPartition]))
                .ToList();
        }
        OffsetCheckpointFile.Write(CheckpointPath(logDirectory), entries);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread?.Join();
        _stop.Dispose();
    }
}
