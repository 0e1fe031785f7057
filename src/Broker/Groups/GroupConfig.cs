using Broker.Config;

namespace Broker.Groups;

/// <summary>The broker settings the group coordinator obeys.</summary>
public sealed record GroupConfig(
    int MinSessionTimeoutMs = 6000,
    int MaxSessionTimeoutMs = 1800000,
    int InitialRebalanceDelayMs = 3000,
    int MaxSize = int.MaxValue,
    long OffsetsRetentionMs = 7 * 24 * 3600 * 1000L,
    long OffsetsRetentionCheckIntervalMs = 600000,
    int OffsetMetadataMaxBytes = 4096)
{
    public static GroupConfig From(BrokerConfig config) => new(
        config.GetInt("group.min.session.timeout.ms"),
        config.GetInt("group.max.session.timeout.ms"),
        config.GroupInitialRebalanceDelayMs,
        config.GetInt("group.max.size"),
        config.GetInt("offsets.retention.minutes") * 60_000L,
        config.GetLong("offsets.retention.check.interval.ms"),
        config.GetInt("offset.metadata.max.bytes"));
}
