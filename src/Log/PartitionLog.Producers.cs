namespace Broker.Log;

/// <summary>One active producer as DescribeProducers reports it.</summary>
public readonly record struct ProducerSummary(long ProducerId, short Epoch, int LastSequence, long LastTimestamp, int CoordinatorEpoch, long CurrentTxnStartOffset);

/// <summary>
/// Idempotent producer state: checked and updated on append, snapshotted to
/// <c>&lt;offset&gt;.snapshot</c> at every roll and on close, rebuilt on open from the latest
/// snapshot plus the batches after it, and trimmed with the log.
/// </summary>
public sealed partial class PartitionLog
{
    private readonly ProducerStateManager _producers = new();

    /// <summary>The producers this partition remembers, for DescribeProducers.</summary>
    public List<ProducerSummary> ActiveProducers()
    {
        lock (_lock)
            return _producers.Entries.Select(e => new ProducerSummary(
                e.ProducerId, e.Epoch, e.LastSequence, e.LastTimestamp, e.CoordinatorEpoch, e.CurrentTxnFirstOffset)).ToList();
    }

    /// <summary>The state of one producer, or null (tests, diagnostics).</summary>
    public (short Epoch, ProducerBatch[] Batches)? ProducerState(long producerId)
    {
        lock (_lock)
            return _producers.Get(producerId) is { } e ? (e.Epoch, e.Batches.ToArray()) : null;
    }

    /// <summary>Forgets producers idle longer than <paramref name="expirationMs"/> (<c>producer.id.expiration.ms</c>).</summary>
    public int RemoveExpiredProducers(long expirationMs)
    {
        lock (_lock)
        {
            ThrowIfClosed();
            return _producers.RemoveExpired(_context.NowMs, expirationMs);
        }
    }

    /// <summary>The answer to a retried batch: where it was written the first time.</summary>
    private LogAppendInfo DuplicateAppend(ProducerBatch original) =>
        new(original.FirstOffset, original.LastOffset, original.Timestamp, original.LastOffset, 0, 0, 0, _logStartOffset) { Duplicate = true };

    /// <summary>Writes the state as of the log end offset, unless a snapshot there exists already.</summary>
    private void TakeProducerSnapshot(long offset)
    {
        var path = ProducerSnapshotFile.PathFor(Directory, offset);
        if (!File.Exists(path))
            ProducerSnapshotFile.Write(path, _producers.Entries);
    }

    private void DeleteProducerSnapshot(long offset) => File.Delete(ProducerSnapshotFile.PathFor(Directory, offset));

    /// <summary>
    /// Snapshots below the first segment describe batches that are gone (Kafka's
    /// <c>deleteSnapshotsBefore</c>); a snapshot taken at close need not sit on a segment's base
    /// offset, so deleting snapshots with their segments alone would leave these behind.
    /// </summary>
    private void DeleteProducerSnapshotsBelow(long offset)
    {
        foreach (var snapshot in ProducerSnapshotFile.List(Directory))
            if (snapshot < offset)
                DeleteProducerSnapshot(snapshot);
    }

    /// <summary>
    /// Rebuilds the state for the current log: snapshots past the log end are stale (a truncated
    /// tail) and go; the latest readable one at or below it is loaded, and the batches after it replayed.
    /// </summary>
    private void LoadProducerState()
    {
        _producers.Clear();
        var end = _logEndOffset;
        var from = _segments[0].BaseOffset;
        DeleteProducerSnapshotsBelow(from);
        var offsets = ProducerSnapshotFile.List(Directory);
        for (var i = offsets.Count - 1; i >= 0; i--)
        {
            var offset = offsets[i];
            if (offset > end)
            {
                DeleteProducerSnapshot(offset);
                continue;
            }
            try
            {
                foreach (var entry in ProducerSnapshotFile.Read(ProducerSnapshotFile.PathFor(Directory, offset)))
                    _producers.Load(entry);
                from = Math.Max(from, offset);
                break;
            }
            catch (CorruptLogFileException)
            {
                // A snapshot torn by a crash: an older one, or the log itself, rebuilds the same state.
                _producers.Clear();
                DeleteProducerSnapshot(offset);
            }
        }
        foreach (var segment in _segments)
        {
            var next = segment == _segments[^1] ? end : NextBaseOffset(segment);
            if (next <= from)
                continue;
            segment.VisitBatchesFrom(from, b => _producers.Record(
                b.ProducerId, b.ProducerEpoch, b.BaseSequence, b.BaseOffset, b.LastOffsetDelta, b.MaxTimestamp, b.IsControl));
        }
        _producers.TruncateHead(_logStartOffset);
    }

    private long NextBaseOffset(LogSegment segment)
    {
        var index = Array.IndexOf(_segments, segment);
        return _segments[index + 1].BaseOffset;
    }
}
