using System.Collections.Concurrent;

namespace Broker.Log;

/// <summary>
/// All partition logs under the broker's <c>log.dirs</c>. Opens them at start (in parallel),
/// creates and deletes them, writes the per-directory checkpoints and the clean-shutdown marker.
/// The broker drives its periodic work: <see cref="CleanupLogs"/> every
/// <c>log.retention.check.interval.ms</c>, <see cref="FlushDirtyLogs"/> every
/// <c>log.flush.scheduler.interval.ms</c>, <see cref="Checkpoint"/> every
/// <c>log.flush.offset.checkpoint.interval.ms</c>.
/// </summary>
public sealed class LogManager : IDisposable
{
    /// <summary>Kafka keeps the KRaft metadata log out of the partition logs; the Raft module owns it.</summary>
    public const string ClusterMetadataTopic = "__cluster_metadata";

    private readonly ConcurrentDictionary<TopicPartition, PartitionLog> _logs = new();
    private readonly string[] _logDirectories;
    private readonly Func<string, LogConfig> _configForTopic;
    private readonly LogContext _context;
    private readonly object _createLock = new();
    private bool _closed;

    private LogManager(string[] logDirectories, Func<string, LogConfig> configForTopic, LogContext context)
    {
        _logDirectories = logDirectories;
        _configForTopic = configForTopic;
        _context = context;
    }

    public IReadOnlyList<string> LogDirectories => _logDirectories;
    public ICollection<PartitionLog> Logs => _logs.Values;
    /// <summary>Log directories that had no clean-shutdown marker when opened.</summary>
    public IReadOnlyList<string> UncleanDirectories { get; private set; } = [];

    /// <summary>
    /// Opens every partition directory under <paramref name="logDirectories"/>, recovering those
    /// of directories without a clean-shutdown marker, then removes the markers: from now on a
    /// crash must be recovered from.
    /// </summary>
    /// <param name="configForTopic">The topic's settings, from the metadata image.</param>
    /// <param name="recoveryThreads">Partitions opened at once (<c>num.recovery.threads.per.data.dir</c> times directories).</param>
    public static LogManager Open(IEnumerable<string> logDirectories, Func<string, LogConfig> configForTopic, LogContext? context = null, int recoveryThreads = 0)
    {
        var directories = logDirectories.Select(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d))).Distinct().ToArray();
        if (directories.Length == 0)
            throw new ArgumentException("log.dirs names no directory.", nameof(logDirectories));
        var manager = new LogManager(directories, configForTopic, context ?? LogContext.Default);
        manager.LoadAll(recoveryThreads > 0 ? recoveryThreads : Environment.ProcessorCount);
        return manager;
    }

    private void LoadAll(int parallelism)
    {
        var work = new List<(string Path, LogCheckpoint Checkpoint)>();
        var unclean = new List<string>();
        foreach (var logDirectory in _logDirectories)
        {
            Directory.CreateDirectory(logDirectory);
            var clean = CleanShutdownFile.Exists(logDirectory);
            if (!clean)
                unclean.Add(logDirectory);
            var recoveryPoints = OffsetCheckpointFile.Read(Path.Combine(logDirectory, LogFileNames.RecoveryPointCheckpoint));
            var startOffsets = OffsetCheckpointFile.Read(Path.Combine(logDirectory, LogFileNames.LogStartOffsetCheckpoint));
            var highWatermarks = OffsetCheckpointFile.Read(Path.Combine(logDirectory, LogFileNames.ReplicationOffsetCheckpoint));
            foreach (var partitionDirectory in Directory.EnumerateDirectories(logDirectory))
            {
                var name = Path.GetFileName(partitionDirectory);
                if (name.EndsWith(LogFileNames.DeleteDirectorySuffix, StringComparison.Ordinal))
                {
                    DeleteDirectoryLater(partitionDirectory);
                    continue;
                }
                if (name.EndsWith(LogFileNames.StrayDirectorySuffix, StringComparison.Ordinal))
                    continue;
                if (!TopicPartition.TryParse(name, out var tp) || tp.Topic == ClusterMetadataTopic)
                    continue;
                work.Add((partitionDirectory, new LogCheckpoint(
                    recoveryPoints.GetValueOrDefault(tp),
                    startOffsets.GetValueOrDefault(tp),
                    highWatermarks.GetValueOrDefault(tp),
                    clean)));
            }
        }

        var failures = new ConcurrentQueue<Exception>();
        Parallel.ForEach(work, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, item =>
        {
            try
            {
                var name = Path.GetFileName(item.Path);
                TopicPartition.TryParse(name, out var tp);
                var log = PartitionLog.Open(item.Path, _configForTopic(tp.Topic), item.Checkpoint, _context);
                if (!_logs.TryAdd(tp, log))
                {
                    log.Close();
                    throw new LogException($"{tp} exists in more than one log directory (second copy: {item.Path}).");
                }
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        });
        if (!failures.IsEmpty)
        {
            foreach (var log in _logs.Values)
                log.Close();
            throw new AggregateException("Log directories failed to load.", failures);
        }

        foreach (var logDirectory in _logDirectories)
            CleanShutdownFile.Delete(logDirectory);
        UncleanDirectories = unclean;
    }

    public PartitionLog? GetLog(TopicPartition topicPartition) => _logs.GetValueOrDefault(topicPartition);

    /// <summary>
    /// The partition's log, created in the log directory holding the fewest partitions if absent.
    /// A topic id, when given, is written to <c>partition.metadata</c>.
    /// </summary>
    public PartitionLog GetOrCreateLog(TopicPartition topicPartition, Guid? topicId = null)
    {
        PartitionLog? log;
        lock (_createLock)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (!_logs.TryGetValue(topicPartition, out log))
            {
                var logDirectory = _logDirectories
                    .OrderBy(d => _logs.Values.Count(l => Path.GetDirectoryName(l.Directory) == d))
                    .First();
                log = PartitionLog.Open(Path.Combine(logDirectory, topicPartition.ToString()), _configForTopic(topicPartition.Topic), default, _context);
                _logs[topicPartition] = log;
            }
        }
        if (topicId is { } id)
            log.AssignTopicId(id);
        return log;
    }

    /// <summary>
    /// Closes the log and renames its directory to <c>topic-N.uuid-delete</c> at once, so a new
    /// partition of the same name can be created; the files go after <c>file.delete.delay.ms</c>.
    /// </summary>
    public bool DeleteLog(TopicPartition topicPartition)
    {
        lock (_createLock)
        {
            if (!_logs.TryRemove(topicPartition, out var log))
                return false;
            // No flush: the data is about to go.
            log.CloseHandles();
            var doomed = Path.Combine(Path.GetDirectoryName(log.Directory)!,
                $"{topicPartition}.{Guid.NewGuid():N}{LogFileNames.DeleteDirectorySuffix}");
            Directory.Move(log.Directory, doomed);
            DeleteDirectoryLater(doomed, log.Config.FileDeleteDelayMs);
            return true;
        }
    }

    /// <summary>
    /// Closes the log and renames its directory to <c>topic-N.uuid-stray</c>: the data is kept for an
    /// operator to inspect or remove, and a new log of the same name can be created.
    /// </summary>
    public bool RenameStray(TopicPartition topicPartition)
    {
        lock (_createLock)
        {
            if (!_logs.TryRemove(topicPartition, out var log))
                return false;
            log.Close();
            var stray = Path.Combine(Path.GetDirectoryName(log.Directory)!,
                $"{topicPartition}.{Guid.NewGuid():N}{LogFileNames.StrayDirectorySuffix}");
            Directory.Move(log.Directory, stray);
            return true;
        }
    }

    private void DeleteDirectoryLater(string directory, long delayMs = 0) =>
        _context.Run(TimeSpan.FromMilliseconds(delayMs), () =>
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        });

    /// <summary>Runs retention on every log; returns the segments deleted.</summary>
    public int CleanupLogs()
    {
        var deleted = 0;
        foreach (var log in _logs.Values)
            deleted += Guard(log, static l => l.DeleteExpiredSegments());
        return deleted;
    }

    /// <summary>Forgets producers idle for <c>producer.id.expiration.ms</c> in every log; returns how many.</summary>
    public int RemoveExpiredProducers(long expirationMs)
    {
        var removed = 0;
        foreach (var log in _logs.Values)
            removed += Guard(log, l => l.RemoveExpiredProducers(expirationMs));
        return removed;
    }

    /// <summary>Flushes logs whose <c>flush.ms</c> has passed.</summary>
    public void FlushDirtyLogs()
    {
        foreach (var log in _logs.Values)
            Guard(log, static l => l.FlushIfDue() ? 1 : 0);
    }

    /// <summary>
    /// Writes <c>recovery-point-offset-checkpoint</c>, <c>log-start-offset-checkpoint</c> and
    /// <c>replication-offset-checkpoint</c> in every log directory.
    /// </summary>
    public void Checkpoint()
    {
        foreach (var logDirectory in _logDirectories)
        {
            var logs = _logs.Values.Where(l => Path.GetDirectoryName(l.Directory) == logDirectory).ToList();
            OffsetCheckpointFile.Write(Path.Combine(logDirectory, LogFileNames.RecoveryPointCheckpoint),
                logs.Select(l => KeyValuePair.Create(l.TopicPartition, l.RecoveryPoint)));
            OffsetCheckpointFile.Write(Path.Combine(logDirectory, LogFileNames.LogStartOffsetCheckpoint),
                logs.Select(l => KeyValuePair.Create(l.TopicPartition, l.LogStartOffset)));
            OffsetCheckpointFile.Write(Path.Combine(logDirectory, LogFileNames.ReplicationOffsetCheckpoint),
                logs.Select(l => KeyValuePair.Create(l.TopicPartition, l.HighWatermark)));
        }
    }

    /// <summary>
    /// Flushes and closes every log, writes the checkpoints (recovery points now equal the log end
    /// offsets) and finally the clean-shutdown markers, which vouch for everything before them.
    /// </summary>
    public void Close(long brokerEpoch = -1)
    {
        lock (_createLock)
        {
            if (_closed)
                return;
            _closed = true;
        }
        Parallel.ForEach(_logs.Values, static log => log.Close());
        Checkpoint();
        foreach (var logDirectory in _logDirectories)
            CleanShutdownFile.Write(logDirectory, brokerEpoch);
    }

    public void Dispose() => Close();

    /// <summary>One log's failure must not stop the periodic pass over the others.</summary>
    private int Guard(PartitionLog log, Func<PartitionLog, int> work)
    {
        try
        {
            return work(log);
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
        catch (Exception e)
        {
            _context.BackgroundError(e);
            return 0;
        }
    }
}
