using Broker.Log;

namespace Broker.Groups;

/// <summary>What an OffsetCommit asks, independent of its wire version.</summary>
public sealed record OffsetCommitParams(
    string GroupId,
    int GenerationId,
    string MemberId,
    string? GroupInstanceId,
    long RetentionTimeMs,
    IReadOnlyList<(TopicPartition Partition, long Offset, int LeaderEpoch, string? Metadata)> Offsets);
