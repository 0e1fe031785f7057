namespace Broker.Metadata;

/// <summary>One partition's assignment as the metadata log last recorded it.</summary>
public sealed record PartitionImage(
    int PartitionId,
    IReadOnlyList<int> Replicas,
    IReadOnlyList<int> Isr,
    int Leader,
    int LeaderEpoch,
    int PartitionEpoch);
