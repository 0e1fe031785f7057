using Broker.Raft.Core;

namespace Broker.Raft.Client;

/// <summary>
/// The replicated state machine. Called on the Raft thread, in log order; keep each call short.
/// </summary>
public interface IRaftListener
{
    /// <summary>Batches below the high watermark, in order. Control batches (<see cref="RaftBatch.IsControl"/>) are included for their offsets.</summary>
    void HandleCommit(IReadOnlyList<RaftBatch> batches);

    /// <summary>Replace the state with the snapshot's records; commits continue from <see cref="SnapshotId.EndOffset"/>.</summary>
    void HandleLoadSnapshot(SnapshotId id, IReadOnlyList<byte[]> records);

    /// <summary>The known leader or epoch changed (leader -1: none known yet).</summary>
    void HandleLeaderChange(LeaderAndEpoch leader);
}

/// <summary>An append reached a node that is not the leader of the caller's epoch, or leadership was lost before commit.</summary>
public sealed class NotLeaderException(string message, LeaderAndEpoch leader) : Exception(message)
{
    public LeaderAndEpoch Leader { get; } = leader;
}
