namespace Broker.Operations;

/// <summary>The /ready answer: ready or not, and every reason why not.</summary>
public sealed record ReadinessReport(bool Ready, int NodeId, IReadOnlyList<string> Reasons, long MetadataLag)
{
    /// <summary>Only in /ready?safe-to-roll answers.</summary>
    public bool? SafeToRoll { get; init; }

    /// <summary>Partitions that would fall below min.insync.replicas if this broker stopped now.</summary>
    public int? PartitionsAtRisk { get; init; }

    /// <summary>The first <see cref="Operations.SafeToRoll.ListedAtMost"/> of them.</summary>
    public IReadOnlyList<PartitionAtRisk>? AtRisk { get; init; }
}

/// <summary>A partition whose ISR includes this broker and is not larger than its min.insync.replicas.</summary>
public sealed record PartitionAtRisk(string Topic, int Partition, int[] Isr, int MinInsyncReplicas);

/// <summary>The /healthz answer.</summary>
public sealed record LivenessReport(string Status, int NodeId);
