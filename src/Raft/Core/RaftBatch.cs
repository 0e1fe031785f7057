namespace Broker.Raft.Core;

/// <summary>What a batch holds: client data or one of KRaft's control records.</summary>
public enum RaftBatchKind : byte
{
    Data = 0,
    /// <summary>The LeaderChangeMessage a new leader writes first in its epoch.</summary>
    LeaderChange = 1,
}

/// <summary>
/// A batch of opaque records written by the leader of <see cref="Epoch"/>; record <c>i</c> has
/// offset <c>BaseOffset + i</c>. Batches are the unit of replication and truncation.
/// </summary>
public sealed record RaftBatch(long BaseOffset, int Epoch, RaftBatchKind Kind, IReadOnlyList<byte[]> Records)
{
    public long NextOffset => BaseOffset + Records.Count;
    public long LastOffset => NextOffset - 1;
    public bool IsControl => Kind != RaftBatchKind.Data;
}

/// <summary>A snapshot's id: it holds every record below <see cref="EndOffset"/>; the last one has <see cref="Epoch"/>.</summary>
public readonly record struct SnapshotId(long EndOffset, int Epoch)
{
    public override string ToString() => $"{EndOffset}-{Epoch}";
}

/// <summary>An epoch and the offset where it ends (the first offset of the next epoch or the log end).</summary>
public readonly record struct EpochEndOffset(int Epoch, long EndOffset)
{
    public static readonly EpochEndOffset Unknown = new(-1, -1);
    public bool IsUnknown => Epoch < 0;
}

/// <summary>The leader as a node knows it; <see cref="LeaderId"/> is -1 while none is known.</summary>
public readonly record struct LeaderAndEpoch(int LeaderId, int Epoch)
{
    public static readonly LeaderAndEpoch None = new(-1, 0);
}

/// <summary>What must survive a restart besides the log: Kafka's <c>quorum-state</c> contents.</summary>
public sealed record QuorumState(int LeaderEpoch, int LeaderId, int VotedId)
{
    public static readonly QuorumState Initial = new(0, -1, -1);
}
