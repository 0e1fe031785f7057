namespace Broker.Replication;

/// <summary>
/// A leader's ISR: the one the controller last committed (with its partition epoch) and, while an
/// AlterPartition is in flight, the ISR proposed. As in Kafka (KIP-497), acks and min.insync.replicas
/// count the committed ISR only, while the high watermark waits for the maximal ISR (committed plus
/// proposed additions): neither an expansion nor a shrink the controller has not yet accepted can
/// let the high watermark pass a replica that might still be needed.
/// </summary>
public sealed record IsrState(IReadOnlyList<int> Isr, int PartitionEpoch, IReadOnlyList<int>? Proposed = null)
{
    public bool IsInflight => Proposed is not null;

    public bool InMaximalIsr(int brokerId) => Isr.Contains(brokerId) || (Proposed?.Contains(brokerId) ?? false);
}
