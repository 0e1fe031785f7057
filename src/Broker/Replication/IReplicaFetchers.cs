namespace Broker.Replication;

/// <summary>
/// Where follower partitions are fetched from their leaders: fetcher threads over the network in a
/// running broker, a simulated network in tests.
/// </summary>
public interface IReplicaFetchers
{
    /// <summary>Starts (or moves) fetching <paramref name="partition"/> from <paramref name="leader"/> at <paramref name="leaderEpoch"/>.</summary>
    void Follow(Partition partition, int leader, int leaderEpoch);

    /// <summary>Stops fetching <paramref name="partition"/> (it leads now, has no leader, or is gone).</summary>
    void Unfollow(Partition partition);
}

/// <summary>No fetching at all: a node whose partitions all have a single replica, and unit tests.</summary>
public sealed class NoReplicaFetchers : IReplicaFetchers
{
    public static readonly NoReplicaFetchers Instance = new();

    public void Follow(Partition partition, int leader, int leaderEpoch)
    {
    }

    public void Unfollow(Partition partition)
    {
    }
}
