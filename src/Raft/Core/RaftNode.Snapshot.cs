namespace Broker.Raft.Core;

// Snapshots taken by the local state machine (KIP-630).
public sealed partial class RaftNode
{
    /// <summary>
    /// The state machine wrote a snapshot of everything below <paramref name="endOffset"/>, which
    /// must be committed and applied. With <paramref name="deleteLogPrefix"/> the log then starts there.
    /// Returns the snapshot id, or null when the offset is not eligible.
    /// </summary>
    public SnapshotId? CreateSnapshot(long endOffset, byte[] data, bool deleteLogPrefix)
    {
        if (endOffset > _appliedOffset || endOffset > _highWatermark || endOffset <= (_log.Snapshot?.EndOffset ?? 0))
            return null;
        var last = _log.BatchContaining(endOffset - 1);
        if (last is null || last.NextOffset != endOffset) return null;
        var id = new SnapshotId(endOffset, last.Epoch);
        _log.AddSnapshot(id, data, deletePrefix: false);
        _ready.LogOps.Add(new StoreSnapshotOp(id, data));
        if (deleteLogPrefix)
        {
            _log.DeleteBeforeSnapshot();
            _ready.LogOps.Add(new DeletePrefixOp(_log.StartOffset));
        }
        return id;
    }
}
