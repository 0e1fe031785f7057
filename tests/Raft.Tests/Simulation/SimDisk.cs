using Broker.Raft.Core;

namespace Broker.Raft.Tests.Simulation;

/// <summary>What a simulated node has flushed: the quorum-state, the log and its snapshot.</summary>
public sealed class SimDisk
{
    public QuorumState QuorumState { get; private set; } = QuorumState.Initial;
    public RaftLog Log { get; private set; } = new();
    public bool ForgetsQuorumState { get; init; }

    /// <summary>The first <paramref name="count"/> writes of <paramref name="ready"/> (all with -1) become durable.</summary>
    public void Persist(RaftReady ready, int count = -1)
    {
        if (count < 0) count = int.MaxValue;
        if (ready.QuorumState is { } state)
        {
            if (count-- <= 0) return;
            if (!ForgetsQuorumState) QuorumState = state;
        }
        foreach (var op in ready.LogOps)
        {
            if (count-- <= 0) return;
            switch (op)
            {
                case AppendOp a: Log.Append(a.Batch); break;
                case TruncateOp t: Log.TruncateTo(t.Offset); break;
                case StoreSnapshotOp s: Log.AddSnapshot(s.Id, s.Data, deletePrefix: false); break;
                case DeletePrefixOp: Log.DeleteBeforeSnapshot(); break;
                case ResetToSnapshotOp r: Log.ResetToSnapshot(r.Id, r.Data); break;
            }
        }
    }

    public static int WriteCount(RaftReady ready) => (ready.QuorumState is null ? 0 : 1) + ready.LogOps.Count;

    /// <summary>A copy of the durable log as a restarted node loads it.</summary>
    public RaftLog LoadLog()
    {
        var snapshot = Log.Snapshot;
        // Kafka's rule on startup: a log ending before the newest snapshot restarts from the snapshot.
        if (snapshot is { } snap && Log.EndOffset < snap.EndOffset)
            return new RaftLog(snap.EndOffset, snap, Log.SnapshotData);
        var copy = new RaftLog(Log.StartOffset, snapshot, Log.SnapshotData);
        foreach (var b in Log.Batches) copy.Append(b);
        return copy;
    }
}
