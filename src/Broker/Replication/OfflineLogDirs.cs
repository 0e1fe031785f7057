using System.Collections.Concurrent;
using Broker.Log;
using Broker.Protocol;
using Microsoft.Extensions.Logging;

namespace Broker.Replication;

/// <summary>
/// Log directories taken offline after a write failed in them (a full or failing disk), as Kafka's
/// LogDirFailureChannel does: a failed append may have left a partial batch behind, so nothing more
/// is appended to any partition of that directory until the node restarts, when recovery cuts the
/// torn tail. Producers get KAFKA_STORAGE_ERROR, a retriable error, instead of a dropped connection.
/// </summary>
public sealed class OfflineLogDirs
{
    private readonly ConcurrentDictionary<string, string> _offline = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Directories => _offline.Keys.ToArray();

    /// <summary>Raised once per directory when it goes offline (the broker heartbeats at once to tell the controller).</summary>
    public event Action<string>? DirectoryFailed;

    public bool IsOffline(PartitionLog log) => !_offline.IsEmpty && _offline.ContainsKey(LogDirOf(log));

    /// <summary>The answer for a partition whose directory is offline.</summary>
    public static AppendResult Refused(PartitionLog log) =>
        AppendResult.Failed(ErrorCode.KafkaStorageError, $"Log directory {LogDirOf(log)} is offline.");

    /// <summary>Takes the partition's directory offline (logging once per directory) and answers the append.</summary>
    public AppendResult Fail(TopicPartition partition, PartitionLog log, IOException cause, ILogger logger)
    {
        var dir = LogDirOf(log);
        if (_offline.TryAdd(dir, cause.Message))
        {
            logger.LogError("Error while appending to {Partition} in dir {Dir}: {Error}. Stopped serving appends to every partition in {Dir} until restart.",
                partition, dir, cause.Message, dir);
            DirectoryFailed?.Invoke(dir);
        }
        return AppendResult.Failed(ErrorCode.KafkaStorageError, $"Error while appending to {partition} in dir {dir}: {cause.Message}");
    }

    private static string LogDirOf(PartitionLog log) => Path.GetDirectoryName(log.Directory) ?? log.Directory;
}
