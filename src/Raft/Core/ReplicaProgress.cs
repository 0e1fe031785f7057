namespace Broker.Raft.Core;

/// <summary>What the leader knows of one replica in its epoch (for the high watermark and DescribeQuorum).</summary>
public sealed class ReplicaProgress(int replicaId, bool isVoter)
{
    public int ReplicaId { get; } = replicaId;
    public bool IsVoter { get; } = isVoter;
    /// <summary>The replica's log end offset as its last valid fetch showed; -1 before one.</summary>
    public long EndOffset { get; set; } = -1;
    public long LastFetchTimestamp { get; set; } = -1;
    public long LastCaughtUpTimestamp { get; set; } = -1;
    /// <summary>The leader's log end offset at the previous fetch (Kafka's caught-up rule).</summary>
    public long LeaderEndAtLastFetch { get; set; } = -1;
    public bool AckedBeginQuorum { get; set; }
}

/// <summary>DescribeQuorum's answer for the partition, as the leader sees it.</summary>
public sealed record QuorumInfo(
    int LeaderId, int LeaderEpoch, long HighWatermark,
    IReadOnlyList<ReplicaInfo> Voters, IReadOnlyList<ReplicaInfo> Observers);

public sealed record ReplicaInfo(int ReplicaId, long LogEndOffset, long LastFetchTimestamp, long LastCaughtUpTimestamp);
