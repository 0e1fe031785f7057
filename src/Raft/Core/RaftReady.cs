namespace Broker.Raft.Core;

/// <summary>One change to the durable log, applied by the driver in order.</summary>
public abstract record LogOp;
public sealed record AppendOp(RaftBatch Batch) : LogOp;
/// <summary>Remove records at and above <see cref="Offset"/> (divergence).</summary>
public sealed record TruncateOp(long Offset) : LogOp;
/// <summary>Write a snapshot file (<c>.checkpoint</c>).</summary>
public sealed record StoreSnapshotOp(SnapshotId Id, byte[] Data) : LogOp;
/// <summary>Delete records below <see cref="StartOffset"/>; a snapshot covers them.</summary>
public sealed record DeletePrefixOp(long StartOffset) : LogOp;
/// <summary>A fetched snapshot replaces the whole log, which restarts at its end offset.</summary>
public sealed record ResetToSnapshotOp(SnapshotId Id, byte[] Data) : LogOp;

/// <summary>
/// What the node asks of its driver after some inputs. The driver must, in this order:
/// (1) write <see cref="QuorumState"/> and apply <see cref="LogOps"/>, and make both durable
/// (the flush point: a crash before it may lose any suffix of them); (2) hand
/// <see cref="LoadSnapshot"/> and then <see cref="Committed"/> to the state machine; (3) send
/// <see cref="Messages"/>; (4) call <see cref="RaftNode.Advance"/>.
/// </summary>
public sealed class RaftReady
{
    public QuorumState? QuorumState { get; internal set; }
    public List<LogOp> LogOps { get; } = new();
    public (SnapshotId Id, byte[] Data)? LoadSnapshot { get; internal set; }
    public List<RaftBatch> Committed { get; } = new();
    public List<RaftMessage> Messages { get; } = new();
    /// <summary>Set when the known leader or epoch changed since the last ready.</summary>
    public LeaderAndEpoch? LeaderChange { get; internal set; }
    public long HighWatermark { get; internal set; }
    /// <summary>The log end offset once <see cref="LogOps"/> are durable.</summary>
    public long DurableEndOffset { get; internal set; }

    public bool MustPersist => QuorumState is not null || LogOps.Count > 0;
    public bool IsEmpty => !MustPersist && LoadSnapshot is null && Committed.Count == 0 && Messages.Count == 0 && LeaderChange is null;
}
