using Microsoft.Extensions.Logging;

namespace Broker.Replication;

/// <summary>
/// What every hosted partition needs from the node around it: who this node is, its replication
/// settings, where ISR changes go, and the metadata image's word on which brokers may join an ISR.
/// A simulation builds one per simulated node.
/// </summary>
/// <param name="LocalBrokerEpoch">This broker's current epoch (sent with ISR proposals); -1 before registration.</param>
/// <param name="IsIsrEligible">
/// KIP-841/903: a follower may join the ISR only while registered, unfenced, not shutting down and
/// fetching with the broker epoch the metadata knows for it.
/// </param>
public sealed record ReplicaContext(
    int LocalBrokerId,
    long ReplicaLagTimeMaxMs,
    IAlterIsrChannel AlterIsr,
    Func<long> LocalBrokerEpoch,
    Func<int, long, bool> IsIsrEligible,
    ILogger Logger)
{
    /// <summary>Directories where a write failed: their partitions take no appends, serve no fetches and are not followed.</summary>
    public OfflineLogDirs OfflineDirs { get; init; } = new();
}
