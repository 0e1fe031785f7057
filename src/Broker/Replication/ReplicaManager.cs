using System.Collections.Concurrent;
using Broker.Config;
using Broker.Log;
using Broker.Metadata;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Records;
using Microsoft.Extensions.Logging;

namespace Broker.Replication;

/// <summary>Result of appending one partition's batches for a Produce request.</summary>
public readonly record struct AppendResult(ErrorCode Error, string? Message, long BaseOffset, long LogAppendTime, long LogStartOffset)
{
    /// <summary>Per-record errors of a rejected batch (Produce v8+ RecordErrors), else null.</summary>
    public List<ProduceResponse.BatchIndexAndErrorMessage>? RecordErrors { get; init; }

    public static AppendResult Failed(ErrorCode error, string? message = null) => new(error, message, -1, -1, -1);
}

/// <summary>
/// Hosts the partitions the metadata image assigns to this node: opens their logs when they appear,
/// deletes them when their topic goes, validates and appends produced batches, serves reads.
/// </summary>
public sealed class ReplicaManager : IDisposable
{
    private readonly ConcurrentDictionary<TopicPartition, Partition> _partitions = new();
    private readonly BrokerConfig _config;
    private readonly ILogger _logger;
    private readonly int _nodeId;
    private readonly object _metadataLock = new();
    private readonly LogManager _logs;

    public ReplicaManager(BrokerConfig config, LogManager logs, ILogger logger)
    {
        _config = config;
        _logs = logs;
        _logger = logger;
        _nodeId = config.NodeId;
    }

    public LogManager Logs => _logs;

    /// <summary>Directories where a write failed; their partitions take no more appends.</summary>
    public OfflineLogDirs OfflineDirs { get; } = new();

    /// <summary>
    /// Logs left on disk for partitions the image no longer assigns here (a topic deleted while this
    /// node was down) are deleted once the first image is known.
    /// </summary>
    public void DeleteOrphanLogs()
    {
        foreach (var log in _logs.Logs.ToArray())
            if (!_partitions.ContainsKey(log.TopicPartition))
            {
                _logger.LogInformation("Deleting {Partition}: no longer assigned to this node", log.TopicPartition);
                _logs.DeleteLog(log.TopicPartition);
            }
    }

    public Partition? Get(string topic, int partition) => _partitions.GetValueOrDefault(new TopicPartition(topic, partition));

    public IEnumerable<Partition> All => _partitions.Values;

    /// <summary>Brings hosted partitions in line with a new metadata image.</summary>
    public void OnMetadataChanged(MetadataImage previous, MetadataImage current)
    {
        lock (_metadataLock)
        {
            foreach (var topic in previous.TopicsById.Values)
            {
                if (current.TopicsById.ContainsKey(topic.Id))
                    continue;
                foreach (var p in topic.Partitions)
                    Remove(new TopicPartition(topic.Name, p.PartitionId));
            }
            foreach (var topic in current.TopicsById.Values)
            {
                var overrides = current.ConfigsOf(ConfigResourceType.Topic, topic.Name);
                var configChanged = !ReferenceEquals(overrides, previous.ConfigsOf(ConfigResourceType.Topic, topic.Name));
                foreach (var p in topic.Partitions)
                {
                    var id = new TopicPartition(topic.Name, p.PartitionId);
                    if (!p.Replicas.Contains(_nodeId))
                    {
                        Remove(id);
                        continue;
                    }
                    if (!_partitions.TryGetValue(id, out var partition))
                        partition = Open(id, topic, overrides);
                    else if (configChanged)
                        partition.UpdateConfig(TopicConfigDefinitions.Resolve(_config, Copy(overrides)));
                    partition.Leader = p.Leader;
                    partition.LeaderEpoch = p.LeaderEpoch;
                }
            }
        }
    }

    private static Dictionary<string, string> Copy(IReadOnlyDictionary<string, string> d) => new(d, StringComparer.Ordinal);

    private Partition Open(TopicPartition id, TopicImage topic, IReadOnlyDictionary<string, string> overrides)
    {
        var topicConfig = TopicConfigDefinitions.Resolve(_config, Copy(overrides));
        Span<byte> idBytes = stackalloc byte[16];
        topic.Id.Write(idBytes);
        var log = _logs.GetOrCreateLog(id, new Guid(idBytes, bigEndian: true));
        log.UpdateConfig(LogConfigs.From(topicConfig));
        // Until follower replication lands every hosted replica is its own ISR, so all it holds is committed.
        log.UpdateHighWatermark(log.LogEndOffset);
        var partition = new Partition(id, log, topicConfig);
        _partitions[id] = partition;
        return partition;
    }

    private void Remove(TopicPartition id)
    {
        if (!_partitions.TryRemove(id, out var partition))
            return;
        partition.SignalAppend();
        _logs.DeleteLog(id);
    }

    /// <summary>
    /// Validates every batch (magic, lengths, CRC, size limit) before anything is written, so a bad
    /// batch rejects the whole partition's data and nothing half-lands.
    /// </summary>
    public AppendResult Append(Partition partition, Span<byte> batches)
    {
        if (OfflineDirs.IsOffline(partition.Log))
            return OfflineLogDirs.Refused(partition.Log);
        var maxBytes = partition.Config.MaxMessageBytes;
        var count = 0;
        try
        {
            foreach (var bounds in new RecordBatchWalker(batches, allowTruncatedTail: false, verifyCrc: true))
            {
                count++;
                if (bounds.Length > maxBytes)
                    return AppendResult.Failed(ErrorCode.MessageTooLarge,
                        $"The batch of {bounds.Length} bytes is larger than max.message.bytes ({maxBytes}).");
                var header = new RecordBatchHeader(batches.Slice(bounds.Position, bounds.Length));
                if (header.Compression > CompressionType.Zstd)
                    return AppendResult.Failed(ErrorCode.UnsupportedCompressionType, $"Unknown compression codec {(int)header.Compression}.");
            }
        }
        catch (CorruptRecordException e)
        {
            _logger.LogWarning("Rejected a corrupt batch for {Partition}: {Error}", partition.Id, e.Message);
            return AppendResult.Failed(ErrorCode.CorruptMessage, e.Message);
        }
        if (count == 0)
            return AppendResult.Failed(ErrorCode.InvalidRecord, "The request holds no record batch.");
        if (ProducedBatchValidator.Validate(batches, partition.Config, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()) is { } invalid)
        {
            _logger.LogWarning("Rejected a produce to {Partition}: {Error}", partition.Id, invalid.Message);
            return invalid;
        }

        var appendTime = -1L;
        LogAppendInfo info;
        lock (partition.AppendLock)
        {
            if (partition.Config.LogAppendTime)
            {
                appendTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                foreach (var bounds in new RecordBatchWalker(batches, verifyCrc: false))
                    RecordBatchPatch.SetLogAppendTime(batches.Slice(bounds.Position, bounds.Length), appendTime);
            }
            try
            {
                info = partition.Log.Append(batches, partition.LeaderEpoch);
            }
            catch (LogException e) when (ProducerStateError(e) is { } error)
            {
                _logger.LogWarning("Rejected a produce to {Partition}: {Error}", partition.Id, e.Message);
                return AppendResult.Failed(error, e.Message);
            }
            catch (IOException e)
            {
                return OfflineDirs.Fail(partition.Id, partition.Log, e, _logger);
            }
            if (info.Duplicate)
                return new AppendResult(ErrorCode.None, null, info.FirstOffset, appendTime < 0 ? -1 : info.MaxTimestamp, info.LogStartOffset);
            // A single replica is its own ISR: what it has written is committed.
            partition.Log.UpdateHighWatermark(partition.Log.LogEndOffset);
            partition.Log.FlushIfDue();
        }
        partition.SignalAppend();
        return new AppendResult(ErrorCode.None, null, info.FirstOffset, appendTime, info.LogStartOffset);
    }

    /// <summary>The Kafka error for an idempotent producer's batch the log refused, or null for other failures.</summary>
    private static ErrorCode? ProducerStateError(LogException e) => e switch
    {
        OutOfOrderSequenceException => ErrorCode.OutOfOrderSequenceNumber,
        InvalidProducerEpochException => ErrorCode.InvalidProducerEpoch,
        InvalidProducerBatchException => ErrorCode.InvalidRecord,
        InvalidTxnStateException => ErrorCode.InvalidTxnState,
        _ => null,
    };

    public void Dispose() => _partitions.Clear();
}
