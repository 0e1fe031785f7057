namespace Broker.Config;

/// <summary>
/// The effective, typed settings of one topic (Kafka's LogConfig). Build it with
/// <see cref="TopicConfigDefinitions.Resolve"/> so broker defaults and overrides combine as in Kafka.
/// </summary>
public sealed class TopicConfig
{
    private readonly IReadOnlyDictionary<string, object?> _values;

    internal TopicConfig(IReadOnlyDictionary<string, object?> values) => _values = values;

    public int SegmentBytes => Get<int>("segment.bytes");
    public long SegmentMs => Get<long>("segment.ms");
    public long SegmentJitterMs => Get<long>("segment.jitter.ms");
    public int SegmentIndexBytes => Get<int>("segment.index.bytes");
    public long FlushMessages => Get<long>("flush.messages");
    public long FlushMs => Get<long>("flush.ms");
    public long RetentionBytes => Get<long>("retention.bytes");
    public long RetentionMs => Get<long>("retention.ms");
    public int MaxMessageBytes => Get<int>("max.message.bytes");
    public int IndexIntervalBytes => Get<int>("index.interval.bytes");
    public long DeleteRetentionMs => Get<long>("delete.retention.ms");
    public long MinCompactionLagMs => Get<long>("min.compaction.lag.ms");
    public long MaxCompactionLagMs => Get<long>("max.compaction.lag.ms");
    public long FileDeleteDelayMs => Get<long>("file.delete.delay.ms");
    public double MinCleanableDirtyRatio => Get<double>("min.cleanable.dirty.ratio");
    public IReadOnlyList<string> CleanupPolicy => Get<IReadOnlyList<string>>("cleanup.policy");
    public bool Compact => CleanupPolicy.Contains("compact", StringComparer.OrdinalIgnoreCase);
    public bool Delete => CleanupPolicy.Contains("delete", StringComparer.OrdinalIgnoreCase);
    public bool UncleanLeaderElectionEnable => Get<bool>("unclean.leader.election.enable");
    public int MinInsyncReplicas => Get<int>("min.insync.replicas");
    public string CompressionType => Get<string>("compression.type");
    public int CompressionGzipLevel => Get<int>("compression.gzip.level");
    public int CompressionLz4Level => Get<int>("compression.lz4.level");
    public int CompressionZstdLevel => Get<int>("compression.zstd.level");
    public bool Preallocate => Get<bool>("preallocate");
    public bool LogAppendTime => Get<string>("message.timestamp.type") == "LogAppendTime";
    public long MessageTimestampBeforeMaxMs => Get<long>("message.timestamp.before.max.ms");
    public long MessageTimestampAfterMaxMs => Get<long>("message.timestamp.after.max.ms");

    /// <summary>Any topic key by name, typed as its definition says.</summary>
    public object? this[string name] => _values.TryGetValue(name, out var value)
        ? value
        : throw new KeyNotFoundException($"{name} is not a topic configuration key.");

    private T Get<T>(string name) => (T)this[name]!;
}
