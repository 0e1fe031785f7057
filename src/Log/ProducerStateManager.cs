using Broker.Protocol.Records;

namespace Broker.Log;

/// <summary>
/// A partition's idempotent-producer state: per producer id the epoch and the last few batches.
/// The leader checks each produced batch against it before offsets are assigned (Kafka's
/// ProducerAppendInfo rules) and records it once written; followers and log recovery only record.
/// Not thread-safe: the owning <see cref="PartitionLog"/> calls it under its lock.
/// </summary>
public sealed class ProducerStateManager
{
    private readonly Dictionary<long, ProducerStateEntry> _producers = [];

    public int Count => _producers.Count;

    public IReadOnlyCollection<ProducerStateEntry> Entries => _producers.Values;

    public ProducerStateEntry? Get(long producerId) => _producers.GetValueOrDefault(producerId);

    /// <summary>
    /// Checks every idempotent batch in <paramref name="batches"/> against the state, as a leader
    /// does before assigning offsets. A batch that repeats one of the retained batches returns
    /// that batch: the whole append is then answered with its original offsets and nothing is written.
    /// </summary>
    /// <exception cref="OutOfOrderSequenceException">A gap or a repeat that is not a retained batch.</exception>
    /// <exception cref="InvalidProducerEpochException">An epoch older than the producer's current one.</exception>
    /// <exception cref="InvalidProducerBatchException">A producer id with a negative sequence.</exception>
    /// <exception cref="InvalidTxnStateException">A transactional batch: no transaction coordinator exists yet.</exception>
    public ProducerBatch? CheckAppend(ReadOnlySpan<byte> batches, TopicPartition partition)
    {
        // Earlier batches of the same append, only needed when one request holds several batches of one producer.
        List<(long ProducerId, short Epoch, int LastSequence)>? pending = null;
        while (batches.Length >= RecordBatchLayout.HeaderSize)
        {
            var header = new RecordBatchHeader(batches);
            var size = header.TotalSize;
            if (size < RecordBatchLayout.HeaderSize || size > batches.Length)
                break; // framing is the log's next check, which reports it
            batches = batches[size..];
            var producerId = header.ProducerId;
            if (producerId < 0)
                continue;
            var epoch = header.ProducerEpoch;
            var firstSequence = header.BaseSequence;
            if (firstSequence < 0)
                throw new InvalidProducerBatchException($"Invalid sequence number {firstSequence} in a batch of producer {producerId} for {partition}.");
            if (header.IsTransactional)
                throw new InvalidTxnStateException($"Producer {producerId} wrote a transactional batch to {partition}, but no transaction was begun through a transaction coordinator.");
            var lastSequence = ProducerSequence.Increment(firstSequence, header.LastOffsetDelta);
            var entry = _producers.GetValueOrDefault(producerId);
            if (entry?.FindDuplicate(epoch, firstSequence, lastSequence) is { } duplicate)
                return duplicate;

            var (currentEpoch, lastSeen) = entry is null ? (RecordBatchLayout.NoProducerEpoch, RecordBatchLayout.NoSequence) : (entry.Epoch, entry.LastSequence);
            if (pending is not null)
                foreach (var p in pending)
                    if (p.ProducerId == producerId)
                        (currentEpoch, lastSeen) = (p.Epoch, p.LastSequence);
            CheckSequence(producerId, epoch, firstSequence, currentEpoch, lastSeen, partition);
            if (batches.Length >= RecordBatchLayout.HeaderSize)
                (pending ??= []).Add((producerId, epoch, lastSequence));
        }
        return null;
    }

    private static void CheckSequence(long producerId, short epoch, int firstSequence, short currentEpoch, int lastSequence, TopicPartition partition)
    {
        // An unknown producer (new, expired, or its batches deleted by retention) may start at any sequence (KIP-360).
        if (currentEpoch == RecordBatchLayout.NoProducerEpoch)
            return;
        if (epoch < currentEpoch)
            throw new InvalidProducerEpochException(
                $"Epoch {epoch} of producer {producerId} is older than its current epoch {currentEpoch} on {partition}.");
        if (epoch > currentEpoch)
        {
            // A new epoch restarts the sequence.
            if (firstSequence != 0)
                throw new OutOfOrderSequenceException(
                    $"Producer {producerId} began epoch {epoch} on {partition} at sequence {firstSequence}, not 0.");
            return;
        }
        if (!ProducerSequence.Follows(lastSequence, firstSequence))
            throw new OutOfOrderSequenceException(
                $"Out of order sequence number for producer {producerId} on {partition}: {firstSequence} (incoming), {lastSequence} (last appended).");
    }

    /// <summary>Records the idempotent batches of an append whose offsets are now assigned.</summary>
    public void RecordAppended(ReadOnlySpan<byte> batches)
    {
        while (batches.Length >= RecordBatchLayout.HeaderSize)
        {
            var header = new RecordBatchHeader(batches);
            Record(header.ProducerId, header.ProducerEpoch, header.BaseSequence, header.BaseOffset, header.LastOffsetDelta, header.MaxTimestamp, header.IsControl);
            batches = batches[header.TotalSize..];
        }
    }

    /// <summary>Records one batch already in the log (replication, recovery); nothing is checked.</summary>
    public void Record(long producerId, short epoch, int baseSequence, long baseOffset, int lastOffsetDelta, long maxTimestamp, bool control)
    {
        // Control batches (transaction markers) carry no data sequence; transactions are not tracked yet.
        if (producerId < 0 || control)
            return;
        if (!_producers.TryGetValue(producerId, out var entry))
            _producers[producerId] = entry = new ProducerStateEntry(producerId, epoch);
        entry.AddBatch(epoch, new ProducerBatch(
            ProducerSequence.Increment(baseSequence, lastOffsetDelta), baseOffset + lastOffsetDelta, lastOffsetDelta, maxTimestamp));
    }

    /// <summary>Puts an entry read from a snapshot in place.</summary>
    internal void Load(ProducerStateEntry entry) => _producers[entry.ProducerId] = entry;

    /// <summary>
    /// Forgets producers idle for <paramref name="expirationMs"/> (<c>producer.id.expiration.ms</c>):
    /// their next batch is accepted at any sequence, as for a new producer. Returns how many went.
    /// </summary>
    public int RemoveExpired(long nowMs, long expirationMs)
    {
        var removed = 0;
        foreach (var entry in _producers.Values)
            if (entry.CurrentTxnFirstOffset < 0 && nowMs - entry.LastTimestamp >= expirationMs && _producers.Remove(entry.ProducerId))
                removed++;
        return removed;
    }

    /// <summary>Forgets producers whose last batch lies below the new log start offset (retention, DeleteRecords).</summary>
    public void TruncateHead(long logStartOffset)
    {
        foreach (var entry in _producers.Values)
            if (entry.BatchCount == 0 || entry.LastOffset < logStartOffset)
                _producers.Remove(entry.ProducerId);
    }

    public void Clear() => _producers.Clear();
}
