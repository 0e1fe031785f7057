using Broker.Hosting;
using Broker.Protocol;
using Broker.Replication;

namespace Broker.Handlers;

/// <summary>
/// The checks a request aimed at a partition's leader makes first: the partition exists, this node
/// hosts a replica of it and leads it, and the client's idea of the leader epoch (when it sends one) is current.
/// </summary>
public static class LeaderPartitions
{
    public static (Partition? Partition, ErrorCode Error) Find(BrokerServices services, string topic, int partition, int currentLeaderEpoch = -1) =>
        Find(services, topic, partition, currentLeaderEpoch, leaderOnly: true);

    /// <summary>
    /// <see cref="Find"/> for a consumer fetch that may be served by a follower (Fetch v11+, KIP-392):
    /// a replica hosted here as leader or follower, at the leader epoch the client names.
    /// </summary>
    public static (Partition? Partition, ErrorCode Error) FindReplica(BrokerServices services, string topic, int partition, int currentLeaderEpoch) =>
        Find(services, topic, partition, currentLeaderEpoch, leaderOnly: false);

    private static (Partition? Partition, ErrorCode Error) Find(BrokerServices services, string topic, int partition, int currentLeaderEpoch, bool leaderOnly)
    {
        var found = services.Replicas.Get(topic, partition);
        if (found is null)
        {
            // A partition that exists but has no replica here is led elsewhere: the client's metadata is stale.
            var known = services.Metadata.Current.Topic(topic)?.Partitions is { } partitions && partition >= 0 && partition < partitions.Count;
            return (null, known ? ErrorCode.NotLeaderOrFollower : ErrorCode.UnknownTopicOrPartition);
        }
        // Kafka answers for a replica in an offline log directory before looking at leadership.
        if (services.Replicas.OfflineDirs.IsOffline(found.Log))
            return (null, ErrorCode.KafkaStorageError);
        if (leaderOnly ? found.Leader != services.NodeId : found.Role == PartitionRole.None)
            return (null, ErrorCode.NotLeaderOrFollower);
        // An older epoch is a client behind the times (fenced); a newer one is news this node has not had yet.
        if (currentLeaderEpoch >= 0 && currentLeaderEpoch != found.LeaderEpoch)
            return (null, currentLeaderEpoch < found.LeaderEpoch ? ErrorCode.FencedLeaderEpoch : ErrorCode.UnknownLeaderEpoch);
        return (found, ErrorCode.None);
    }

    /// <summary>
    /// <see cref="Find"/> for a request only the leader serves: a partition that exists but is not
    /// hosted here has its leader elsewhere (NOT_LEADER_OR_FOLLOWER), not an unknown one.
    /// </summary>
    public static (Partition? Partition, ErrorCode Error) FindLeader(BrokerServices services, string topic, int partition)
    {
        var (found, error) = Find(services, topic, partition);
        if (found is null && error == ErrorCode.UnknownTopicOrPartition
            && services.Metadata.Current.Topic(topic)?.Partitions.Any(p => p.PartitionId == partition) == true)
            error = ErrorCode.NotLeaderOrFollower;
        return (found, error);
    }
}
