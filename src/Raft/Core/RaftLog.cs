namespace Broker.Raft.Core;

/// <summary>
/// The node's view of its log: batches from <see cref="StartOffset"/> on, and the newest
/// snapshot, which covers everything below its end offset. Pure memory; the driver mirrors every
/// change to disk through <see cref="RaftReady"/>.
/// </summary>
public sealed class RaftLog
{
    private readonly List<RaftBatch> _batches = new();

    public RaftLog(long startOffset = 0, SnapshotId? snapshot = null, byte[]? snapshotData = null)
    {
        StartOffset = startOffset;
        Snapshot = snapshot;
        SnapshotData = snapshotData;
    }

    public long StartOffset { get; private set; }
    public SnapshotId? Snapshot { get; private set; }
    public byte[]? SnapshotData { get; private set; }
    public IReadOnlyList<RaftBatch> Batches => _batches;

    public long EndOffset => _batches.Count == 0 ? StartOffset : _batches[^1].NextOffset;

    /// <summary>The epoch of the last record (the snapshot's when the log is empty; 0 for an empty log).</summary>
    public int LastEpoch => _batches.Count > 0 ? _batches[^1].Epoch : Snapshot?.Epoch ?? 0;

    public void Append(RaftBatch batch)
    {
        if (batch.BaseOffset != EndOffset)
            throw new InvalidOperationException($"append at {batch.BaseOffset} but the log ends at {EndOffset}");
        if (_batches.Count > 0 && batch.Epoch < _batches[^1].Epoch)
            throw new InvalidOperationException($"append of epoch {batch.Epoch} after epoch {_batches[^1].Epoch}");
        _batches.Add(batch);
    }

    /// <summary>
    /// Removes the records at and above <paramref name="offset"/>; a batch holding it goes whole
    /// (Kafka truncates by batch). Returns the new end offset.
    /// </summary>
    public long TruncateTo(long offset)
    {
        var i = IndexAtOrAfter(offset);
        if (i > 0 && _batches[i - 1].NextOffset > offset) i--;
        var end = i < _batches.Count ? _batches[i].BaseOffset : EndOffset;
        if (end < StartOffset)
            throw new InvalidOperationException($"truncation to {offset} below the log start {StartOffset}");
        _batches.RemoveRange(i, _batches.Count - i);
        return Math.Min(end, EndOffset);
    }

    /// <summary>Records a snapshot; with <paramref name="deletePrefix"/> drops the batches it covers.</summary>
    public void AddSnapshot(SnapshotId id, byte[] data, bool deletePrefix)
    {
        if (Snapshot is { } old && old.EndOffset >= id.EndOffset) return;
        Snapshot = id;
        SnapshotData = data;
        if (deletePrefix) DeleteBeforeSnapshot();
    }

    /// <summary>Drops batches wholly below the snapshot end; the log then starts there.</summary>
    public void DeleteBeforeSnapshot()
    {
        if (Snapshot is not { } snap) return;
        var keep = _batches.FindIndex(b => b.NextOffset > snap.EndOffset);
        if (keep < 0)
        {
            _batches.Clear();
            StartOffset = Math.Max(StartOffset, snap.EndOffset);
            return;
        }
        _batches.RemoveRange(0, keep);
        StartOffset = Math.Max(StartOffset, Math.Min(snap.EndOffset, _batches[0].BaseOffset));
    }

    /// <summary>A follower installs a fetched snapshot: its log is replaced by it.</summary>
    public void ResetToSnapshot(SnapshotId id, byte[] data)
    {
        _batches.Clear();
        Snapshot = id;
        SnapshotData = data;
        StartOffset = id.EndOffset;
    }

    /// <summary>
    /// The largest epoch not above <paramref name="epoch"/> and where it ends, as the leader
    /// answers a fetch; <see cref="EpochEndOffset.Unknown"/> when that history is behind the snapshot.
    /// </summary>
    public EpochEndOffset EndOffsetForEpoch(int epoch)
    {
        for (var i = _batches.Count - 1; i >= 0; i--)
        {
            if (_batches[i].Epoch > epoch) continue;
            var end = i + 1 < _batches.Count ? _batches[i + 1].BaseOffset : EndOffset;
            return new EpochEndOffset(_batches[i].Epoch, end);
        }
        var firstOffset = _batches.Count > 0 ? _batches[0].BaseOffset : EndOffset;
        if (Snapshot is { } snap)
            return snap.Epoch <= epoch ? new EpochEndOffset(snap.Epoch, firstOffset) : EpochEndOffset.Unknown;
        return StartOffset == 0 ? new EpochEndOffset(0, firstOffset) : EpochEndOffset.Unknown;
    }

    /// <summary>Up to <paramref name="maxBatches"/> batches starting exactly at <paramref name="offset"/>.</summary>
    public IReadOnlyList<RaftBatch> Read(long offset, int maxBatches, long maxOffset = long.MaxValue)
    {
        var i = IndexAtOrAfter(offset);
        if (i < _batches.Count && _batches[i].BaseOffset != offset)
            throw new InvalidOperationException($"read at {offset} inside a batch");
        var result = new List<RaftBatch>();
        for (; i < _batches.Count && result.Count < maxBatches && _batches[i].NextOffset <= maxOffset; i++)
            result.Add(_batches[i]);
        return result;
    }

    /// <summary>The batch holding <paramref name="offset"/>, if the log has it.</summary>
    public RaftBatch? BatchContaining(long offset)
    {
        if (offset < StartOffset || offset >= EndOffset) return null;
        var i = IndexAtOrAfter(offset + 1) - 1;
        return i >= 0 && _batches[i].BaseOffset <= offset ? _batches[i] : null;
    }

    /// <summary>Index of the first batch whose base offset is at or after <paramref name="offset"/>.</summary>
    private int IndexAtOrAfter(long offset)
    {
        int lo = 0, hi = _batches.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_batches[mid].BaseOffset < offset) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
