namespace Broker.Metadata;

/// <summary>One partition's assignment as the metadata log last recorded it.</summary>
/// <remarks>
/// During a reassignment <see cref="Replicas"/> holds the target and the old replicas together;
/// <see cref="AddingReplicas"/> are the ones still to catch up and <see cref="RemovingReplicas"/>
/// the ones that leave when it completes (both empty otherwise).
/// </remarks>
public sealed record PartitionImage(
    int PartitionId,
    IReadOnlyList<int> Replicas,
    IReadOnlyList<int> Isr,
    int Leader,
    int LeaderEpoch,
    int PartitionEpoch)
{
    /// <summary>LeaderRecoveryState: the leader's log is a committed history (Kafka's RECOVERED).</summary>
    public const sbyte Recovered = 0;

    /// <summary>LeaderRecoveryState after an unclean election, until the new leader reports it RECOVERED (KIP-704).</summary>
    public const sbyte Recovering = 1;

    public IReadOnlyList<int> AddingReplicas { get; init; } = [];

    public IReadOnlyList<int> RemovingReplicas { get; init; } = [];

    public sbyte LeaderRecoveryState { get; init; } = Recovered;

    public bool IsReassigning => AddingReplicas.Count > 0 || RemovingReplicas.Count > 0;

    /// <summary>The replicas once the reassignment completes (all of them when none is in progress).</summary>
    public IEnumerable<int> TargetReplicas => Replicas.Where(r => !RemovingReplicas.Contains(r));
}
