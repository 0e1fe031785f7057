namespace Broker.Groups;

/// <summary>A committed position of a group in one partition, as OffsetCommitValue stores it.</summary>
public sealed record CommittedOffset(long Offset, int LeaderEpoch, string Metadata, long CommitTimestamp, long ExpireTimestamp = -1);
