namespace Broker.Log;

/// <summary>One batch a producer appended: enough to recognise its retry and answer it with the same offsets.</summary>
public readonly record struct ProducerBatch(int LastSequence, long LastOffset, int OffsetDelta, long Timestamp)
{
    public int FirstSequence => ProducerSequence.Decrement(LastSequence, OffsetDelta);
    public long FirstOffset => LastOffset - OffsetDelta;
}

/// <summary>
/// What a partition remembers of one producer id: its epoch and its last
/// <see cref="BatchesRetained"/> batches, which is how many a producer may have in flight, so
/// any retried batch is found. Transaction fields stay at their "none" values until transactions land.
/// </summary>
public sealed class ProducerStateEntry(long producerId, short epoch)
{
    /// <summary>Kafka's bound on in-flight requests per idempotent producer.</summary>
    public const int BatchesRetained = 5;

    private readonly ProducerBatch[] _batches = new ProducerBatch[BatchesRetained];
    private int _oldest;
    private int _count;

    public long ProducerId { get; } = producerId;
    public short Epoch { get; private set; } = epoch;
    public int CoordinatorEpoch { get; init; } = -1;
    public long CurrentTxnFirstOffset { get; init; } = -1;
    public int BatchCount => _count;

    public ProducerBatch? Newest => _count == 0 ? null : _batches[(_oldest + _count - 1) % BatchesRetained];
    public int LastSequence => Newest?.LastSequence ?? -1;
    public long LastOffset => Newest?.LastOffset ?? -1;
    public long LastTimestamp => Newest?.Timestamp ?? -1;

    /// <summary>The retained batches, oldest first.</summary>
    public IEnumerable<ProducerBatch> Batches
    {
        get
        {
            for (var i = 0; i < _count; i++)
                yield return _batches[(_oldest + i) % BatchesRetained];
        }
    }

    /// <summary>Records an appended batch; a new epoch starts a new history.</summary>
    public void AddBatch(short epoch, ProducerBatch batch)
    {
        if (epoch != Epoch)
        {
            Epoch = epoch;
            _count = 0;
            _oldest = 0;
        }
        if (_count == BatchesRetained)
        {
            _batches[_oldest] = batch;
            _oldest = (_oldest + 1) % BatchesRetained;
        }
        else
        {
            _batches[(_oldest + _count) % BatchesRetained] = batch;
            _count++;
        }
    }

    /// <summary>The retained batch with exactly this epoch and sequence range: a retry of it.</summary>
    public ProducerBatch? FindDuplicate(short epoch, int firstSequence, int lastSequence)
    {
        if (epoch != Epoch)
            return null;
        for (var i = 0; i < _count; i++)
        {
            var batch = _batches[(_oldest + i) % BatchesRetained];
            if (batch.LastSequence == lastSequence && batch.FirstSequence == firstSequence)
                return batch;
        }
        return null;
    }
}
