namespace Broker.Log.Tests.Support;

/// <summary>
/// A partition log in a temp directory with a hand-driven clock and a scheduler that runs work
/// immediately on the calling thread, so deferred flushes and deletions happen deterministically.
/// </summary>
internal sealed class TestLog : IDisposable
{
    private readonly TempDirectory _temp = new();

    /// <param name="schedule">Replaces the run-at-once scheduler, e.g. to hold deferred deletions back.</param>
    public TestLog(LogConfig? config = null, string partition = "events-0", Action<TimeSpan, Action>? schedule = null)
    {
        Config = config ?? new LogConfig { FileDeleteDelayMs = 0 };
        Context = new LogContext
        {
            Time = Clock,
            Schedule = schedule ?? ((_, work) => work()),
            BackgroundError = e => throw new InvalidOperationException("background work failed", e),
        };
        Directory = _temp.Combine(partition);
        Log = PartitionLog.Open(Directory, Config, default, Context);
    }

    public TestClock Clock { get; } = new();
    public LogContext Context { get; }
    public LogConfig Config { get; }
    public string Directory { get; }
    public PartitionLog Log { get; private set; }

    public LogAppendInfo Append(byte[] batch, int leaderEpoch = 0) => Log.Append(batch, leaderEpoch);

    /// <summary>Appends <paramref name="count"/> single-batch appends of <paramref name="recordsPerBatch"/> records.</summary>
    public void AppendMany(int count, int recordsPerBatch = 1, int valueSize = 16, long timestamp = 1_000, int leaderEpoch = 0)
    {
        for (var i = 0; i < count; i++)
            Log.Append(TestBatches.Create(recordsPerBatch, timestamp + i, valueSize), leaderEpoch);
    }

    /// <summary>Closes as on an orderly shutdown (flush, trim indexes), returning what a clean restart is given.</summary>
    public LogCheckpoint CloseCleanly()
    {
        Log.Close();
        return new LogCheckpoint(Log.RecoveryPoint, Log.LogStartOffset, Log.HighWatermark, CleanShutdown: true);
    }

    /// <summary>Drops the log without flushing or trimming anything, as a crash would.</summary>
    public LogCheckpoint Crash(long recoveryPoint = 0)
    {
        Log.CloseHandles();
        return new LogCheckpoint(recoveryPoint, Log.LogStartOffset, Log.HighWatermark, CleanShutdown: false);
    }

    public PartitionLog Reopen(LogCheckpoint checkpoint, LogConfig? config = null)
    {
        Log = PartitionLog.Open(Directory, config ?? Config, checkpoint, Context);
        return Log;
    }

    public string SegmentPath(long baseOffset, string suffix) => LogFileNames.SegmentFile(Directory, baseOffset, suffix);

    public List<(long BaseOffset, long LastOffset, int LeaderEpoch, long MaxTimestamp)> ReadAll(long from = -1)
    {
        var result = new List<(long, long, int, long)>();
        var offset = from < 0 ? Log.LogStartOffset : from;
        while (offset < Log.LogEndOffset)
        {
            var read = Log.Read(offset, int.MaxValue);
            if (read.Records.IsEmpty)
                break;
            var batches = TestBatches.Headers(read.Records.ToArray());
            result.AddRange(batches);
            offset = batches[^1].LastOffset + 1;
        }
        return result;
    }

    public void Dispose()
    {
        try
        {
            Log.Close();
        }
        catch (ObjectDisposedException)
        {
        }
        _temp.Dispose();
    }
}
