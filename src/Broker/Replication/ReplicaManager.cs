using System.Collections.Concurrent;
using Broker.Config;
using Broker.Log;
using Broker.Metadata;
using Broker.Protocol;
using Broker.Protocol.Compression;
using Broker.Protocol.Messages;
using Broker.Protocol.Records;
using Broker.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Broker.Replication;

/// <summary>Result of appending one partition's batches for a Produce request.</summary>
/// <param name="RequiredOffset">The offset the high watermark must reach for acks=all (the append's last offset + 1).</param>
/// <param name="LeaderEpoch">The leader epoch the append was made in.</param>
public readonly record struct AppendResult(
    ErrorCode Error, string? Message, long BaseOffset, long LogAppendTime, long LogStartOffset, long RequiredOffset = -1, int LeaderEpoch = -1)
{
    /// <summary>Per-record errors of a rejected batch (Produce v8+ RecordErrors), else null.</summary>
    public List<ProduceResponse.BatchIndexAndErrorMessage>? RecordErrors { get; init; }

    public static AppendResult Failed(ErrorCode error, string? message = null) => new(error, message, -1, -1, -1);
}

/// <summary>
/// Hosts the partitions the metadata image assigns to this node: opens their logs when they appear,
/// makes this node their leader or follower as the image says (starting and stopping fetchers),
/// deletes a log only on a removal it has applied, validates and appends produced batches.
/// </summary>
public sealed class ReplicaManager : IDisposable
{
    private readonly ConcurrentDictionary<TopicPartition, Partition> _partitions = new();
    private readonly BrokerConfig _config;
    private readonly ILogger _logger;
    private readonly int _nodeId;
    private readonly object _metadataLock = new();
    private readonly LogManager _logs;
    private readonly ReplicaContext _context;
    private readonly TimeProvider _clock;
    private IReplicaFetchers _fetchers = NoReplicaFetchers.Instance;

    public ReplicaManager(BrokerConfig config, LogManager logs, ILogger logger, ReplicaContext? context = null, TimeProvider? clock = null)
    {
        _config = config;
        _logs = logs;
        _logger = logger;
        _nodeId = config.NodeId;
        _clock = clock ?? TimeProvider.System;
        _context = context ?? new ReplicaContext(_nodeId, config.GetLong("replica.lag.time.max.ms"),
            new LocalOnlyAlterIsr(), () => -1, (_, _) => false, logger);
    }

    public LogManager Logs => _logs;

    public ReplicaContext Context => _context;

    public long NowMs => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Sets who fetches follower partitions; before the first metadata change is applied.</summary>
    public void AttachFetchers(IReplicaFetchers fetchers) => _fetchers = fetchers;

    /// <summary>Directories where a write failed; their partitions take no more appends.</summary>
    public OfflineLogDirs OfflineDirs => _context.OfflineDirs;

    /// <summary>
    /// Logs on disk that the caught-up image does not assign here (a topic deleted, or this replica
    /// moved away, while this node was down; or a topic recreated under the same name) are renamed
    /// <c>topic-N.uuid-stray</c> and kept, as Kafka does: a log is deleted only on a removal this node
    /// has applied, never on an absence that a stale image might explain.
    /// </summary>
    public void RenameStrayLogs(MetadataImage image)
    {
        foreach (var log in _logs.Logs.ToArray())
        {
            if (_partitions.ContainsKey(log.TopicPartition))
                continue;
            var topic = image.Topic(log.TopicPartition.Topic);
            _logger.LogWarning("Found stray log {Partition} ({Reason}); renaming it with a -stray suffix and keeping it",
                log.TopicPartition, topic is null ? "its topic does not exist" : "this node is not one of its replicas");
            _logs.RenameStray(log.TopicPartition);
        }
    }

    public Partition? Get(string topic, int partition) => _partitions.GetValueOrDefault(new TopicPartition(topic, partition));

    public IEnumerable<Partition> All => _partitions.Values;

    /// <summary>Brings hosted partitions in line with a new metadata image.</summary>
    public void OnMetadataChanged(MetadataImage previous, MetadataImage current)
    {
        lock (_metadataLock)
        {
            var now = NowMs;
            foreach (var topic in previous.TopicsById.Values)
            {
                if (current.TopicsById.ContainsKey(topic.Id))
                    continue;
                foreach (var p in topic.Partitions)
                    Remove(new TopicPartition(topic.Name, p.PartitionId), $"topic {topic.Name} was deleted");
            }
            foreach (var topic in current.TopicsById.Values)
            {
                var overrides = current.ConfigsOf(ConfigResourceType.Topic, topic.Name);
                var configChanged = !ReferenceEquals(overrides, previous.ConfigsOf(ConfigResourceType.Topic, topic.Name));
                var before = previous.TopicsById.GetValueOrDefault(topic.Id);
                foreach (var p in topic.Partitions)
                {
                    var id = new TopicPartition(topic.Name, p.PartitionId);
                    if (!p.Replicas.Contains(_nodeId))
                    {
                        // Only a change this node saw (it was a replica before) removes data.
                        if (before?.Partitions.FirstOrDefault(x => x.PartitionId == p.PartitionId)?.Replicas.Contains(_nodeId) == true)
                            Remove(id, "this node is no longer one of its replicas");
                        continue;
                    }
                    if (!_partitions.TryGetValue(id, out var partition))
                        partition = Open(id, topic, overrides);
                    else if (OfflineDirs.IsOffline(partition.Log))
                        continue; // Offline until restart: nothing may be written there, not even a role change.
                    else if (configChanged)
                        partition.UpdateConfig(TopicConfigDefinitions.Resolve(_config, Copy(overrides)));
                    var unchanged = before?.Partitions.FirstOrDefault(x => x.PartitionId == p.PartitionId) is { } old && ReferenceEquals(old, p);
                    if (unchanged && partition.Role != PartitionRole.None)
                        continue;
                    ApplyRole(partition, p, now);
                }
            }
        }
    }

    private void ApplyRole(Partition partition, PartitionImage image, long now)
    {
        var change = partition.Apply(image, now);
        if (partition.Role == PartitionRole.Leader || image.Leader < 0)
        {
            if (change != RoleChange.None || image.Leader < 0)
                _fetchers.Unfollow(partition);
        }
        else if (change == RoleChange.BecameFollower)
        {
            _fetchers.Follow(partition, image.Leader, image.LeaderEpoch);
        }
    }

    private static Dictionary<string, string> Copy(IReadOnlyDictionary<string, string> d) => new(d, StringComparer.Ordinal);

    private Partition Open(TopicPartition id, TopicImage topic, IReadOnlyDictionary<string, string> overrides)
    {
        var topicConfig = TopicConfigDefinitions.Resolve(_config, Copy(overrides));
        Span<byte> idBytes = stackalloc byte[16];
        topic.Id.Write(idBytes);
        var topicGuid = new Guid(idBytes, bigEndian: true);
        var existing = _logs.GetLog(id);
        if (existing?.TopicId is { } onDisk && onDisk != topicGuid)
        {
            // The same name, another topic (deleted and recreated while this node was down): keep the old data aside.
            _logger.LogWarning("Log {Partition} belongs to topic id {Old}, not {New}; renaming it with a -stray suffix", id, onDisk, topicGuid);
            _logs.RenameStray(id);
        }
        var log = _logs.GetOrCreateLog(id, topicGuid);
        log.UpdateConfig(LogConfigs.From(topicConfig));
        var partition = new Partition(id, log, topicConfig, _context, topic.Id);
        _partitions[id] = partition;
        return partition;
    }

    private void Remove(TopicPartition id, string why)
    {
        if (!_partitions.TryRemove(id, out var partition))
            return;
        _fetchers.Unfollow(partition);
        partition.Stop();
        _logger.LogInformation("Deleting {Partition}: {Reason}", id, why);
        _logs.DeleteLog(id);
    }

    /// <summary>Proposes lagging followers out of the ISR of every partition this node leads.</summary>
    public void ShrinkIsrs()
    {
        var now = NowMs;
        foreach (var partition in _partitions.Values)
            partition.MaybeShrinkIsr(now);
    }

    /// <summary>
    /// Validates every batch (magic, lengths, CRC, size limit) before anything is written, so a bad
    /// batch rejects the whole partition's data and nothing half-lands. Appends only as the leader.
    /// </summary>
    public AppendResult Append(Partition partition, Span<byte> batches, bool requireMinIsr = false)
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
        if (ProducedBatchValidator.Validate(batches, partition.Config, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            DecompressionBudget(partition.Config)) is { } invalid)
        {
            _logger.LogWarning("Rejected a produce to {Partition}: {Error}", partition.Id, invalid.Message);
            return invalid;
        }

        var appendTime = -1L;
        LogAppendInfo info;
        int leaderEpoch;
        lock (partition.AppendLock)
        {
            // Leadership can move between the handler's check and this lock: only a leader appends.
            if (partition.Role != PartitionRole.Leader)
                return AppendResult.Failed(ErrorCode.NotLeaderOrFollower);
            if (requireMinIsr && partition.InSyncReplicaCount < partition.Config.MinInsyncReplicas)
                return AppendResult.Failed(ErrorCode.NotEnoughReplicas,
                    $"The in-sync replicas ({partition.InSyncReplicaCount}) are fewer than min.insync.replicas ({partition.Config.MinInsyncReplicas}).");
            leaderEpoch = partition.LeaderEpoch;
            if (partition.Config.LogAppendTime)
            {
                appendTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                foreach (var bounds in new RecordBatchWalker(batches, verifyCrc: false))
                    RecordBatchPatch.SetLogAppendTime(batches.Slice(bounds.Position, bounds.Length), appendTime);
            }
            try
            {
                info = partition.Log.Append(batches, leaderEpoch);
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
                return new AppendResult(ErrorCode.None, null, info.FirstOffset, appendTime < 0 ? -1 : info.MaxTimestamp, info.LogStartOffset,
                    info.LastOffset + 1, leaderEpoch);
            partition.Log.FlushIfDue();
        }
        partition.AfterLeaderAppend();
        return new AppendResult(ErrorCode.None, null, info.FirstOffset, appendTime, info.LogStartOffset, info.LastOffset + 1, leaderEpoch);
    }

    /// <summary>
    /// How far one produced batch may decompress while it is validated: 64 times max.message.bytes
    /// (64 MiB at Kafka's default), within the codecs' own 256 MiB cap — far beyond real compression
    /// ratios, far below what a bomb would cost.
    /// </summary>
    private static int DecompressionBudget(TopicConfig config) =>
        (int)Math.Clamp(config.MaxMessageBytes * 64L, 16L << 20, RecordCompression.DefaultMaxDecompressedSize);

    /// <summary>The Kafka error for an idempotent producer's batch the log refused, or null for other failures.</summary>
    private static ErrorCode? ProducerStateError(LogException e) => e switch
    {
        OutOfOrderSequenceException => ErrorCode.OutOfOrderSequenceNumber,
        InvalidProducerEpochException => ErrorCode.InvalidProducerEpoch,
        InvalidProducerBatchException => ErrorCode.InvalidRecord,
        InvalidTxnStateException => ErrorCode.InvalidTxnState,
        _ => null,
    };

    public void Dispose()
    {
        foreach (var partition in _partitions.Values)
            partition.Stop();
        _partitions.Clear();
    }
}

/// <summary>
/// ISR changes for a node without a controller to ask (unit tests of single partitions): every
/// proposal is refused, so the committed ISR stays as the metadata set it.
/// </summary>
public sealed class LocalOnlyAlterIsr : IAlterIsrChannel
{
    public void Submit(AlterIsrRequest request) => request.Complete(AlterIsrOutcome.Failed(ErrorCode.OperationNotAttempted));
}
