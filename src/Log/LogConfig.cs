namespace Broker.Log;

/// <summary>
/// Per-topic log settings. Each property is one of Kafka's topic-level keys and keeps Kafka's
/// default, so a value read from <c>server.properties</c> or a topic config maps over one to one.
/// </summary>
public sealed record LogConfig
{
    public static LogConfig Default { get; } = new();

    /// <summary><c>segment.bytes</c>: the active segment rolls before it would grow past this.</summary>
    public int SegmentBytes { get; init; } = 1024 * 1024 * 1024;

    /// <summary><c>segment.ms</c>: the active segment rolls once its first batch is this old.</summary>
    public long SegmentMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary><c>segment.index.bytes</c>: the size index files are preallocated to; a full index rolls the segment.</summary>
    public int SegmentIndexBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary><c>index.interval.bytes</c>: log bytes between two offset index entries.</summary>
    public int IndexIntervalBytes { get; init; } = 4096;

    /// <summary><c>retention.ms</c>: segments whose newest timestamp is older are deleted; negative keeps them forever.</summary>
    public long RetentionMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary><c>retention.bytes</c>: oldest segments are deleted while the log is bigger; negative means no limit.</summary>
    public long RetentionBytes { get; init; } = -1;

    /// <summary><c>flush.messages</c>: fsync after this many unflushed offsets. Kafka's default leaves durability to replication.</summary>
    public long FlushMessages { get; init; } = long.MaxValue;

    /// <summary><c>flush.ms</c>: fsync when the last flush is this old (checked by <see cref="LogManager.FlushDirtyLogs"/>).</summary>
    public long FlushMs { get; init; } = long.MaxValue;

    /// <summary><c>file.delete.delay.ms</c>: how long a deleted segment's files linger so in-flight fetches can finish reading them.</summary>
    public long FileDeleteDelayMs { get; init; } = 60_000;

    /// <summary><c>cleanup.policy</c> holds <c>compact</c>: the log cleaner keeps only the latest record of each key.</summary>
    public bool Compact { get; init; }

    /// <summary><c>cleanup.policy</c> holds <c>delete</c>: <c>retention.ms</c> and <c>retention.bytes</c> delete old segments.</summary>
    public bool Delete { get; init; } = true;

    /// <summary><c>delete.retention.ms</c>: how long a tombstone stays after the segment holding it was cleaned.</summary>
    public long DeleteRetentionMs { get; init; } = 24L * 60 * 60 * 1000;

    /// <summary><c>min.compaction.lag.ms</c>: records younger than this are not compacted.</summary>
    public long MinCompactionLagMs { get; init; }

    /// <summary><c>max.compaction.lag.ms</c>: a dirty record older than this makes the log cleanable whatever its dirty ratio.</summary>
    public long MaxCompactionLagMs { get; init; } = long.MaxValue;

    /// <summary><c>min.cleanable.dirty.ratio</c>: the share of dirty bytes at which a compacted log is cleaned.</summary>
    public double MinCleanableDirtyRatio { get; init; } = 0.5;

    /// <summary>Throws naming the Kafka key of the first value the log cannot work with.</summary>
    public LogConfig Validate()
    {
        // A v0 message header is the smallest thing Kafka ever allowed in a segment.
        if (SegmentBytes < 14)
            throw new ArgumentException($"segment.bytes must be at least 14, got {SegmentBytes}.");
        if (SegmentMs < 1)
            throw new ArgumentException($"segment.ms must be at least 1, got {SegmentMs}.");
        // Kafka's bound; an index too small for one entry still keeps one, so each segment holds an indexed interval.
        if (SegmentIndexBytes < 4)
            throw new ArgumentException($"segment.index.bytes must be at least 4, got {SegmentIndexBytes}.");
        if (IndexIntervalBytes < 0)
            throw new ArgumentException($"index.interval.bytes must not be negative, got {IndexIntervalBytes}.");
        if (FlushMessages < 1)
            throw new ArgumentException($"flush.messages must be at least 1, got {FlushMessages}.");
        if (FlushMs < 0)
            throw new ArgumentException($"flush.ms must not be negative, got {FlushMs}.");
        if (FileDeleteDelayMs < 0)
            throw new ArgumentException($"file.delete.delay.ms must not be negative, got {FileDeleteDelayMs}.");
        if (DeleteRetentionMs < 0)
            throw new ArgumentException($"delete.retention.ms must not be negative, got {DeleteRetentionMs}.");
        if (MinCompactionLagMs < 0 || MaxCompactionLagMs < 1 || MinCompactionLagMs > MaxCompactionLagMs)
            throw new ArgumentException($"min.compaction.lag.ms ({MinCompactionLagMs}) must be between 0 and max.compaction.lag.ms ({MaxCompactionLagMs}).");
        if (MinCleanableDirtyRatio is < 0 or > 1)
            throw new ArgumentException($"min.cleanable.dirty.ratio must be between 0 and 1, got {MinCleanableDirtyRatio}.");
        return this;
    }
}
