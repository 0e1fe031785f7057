namespace Broker.Replication;

public sealed partial class Partition
{
    private int _servedConsumersAsFollower;

    /// <summary>True the first time this follower returns records to a consumer since it became follower: worth one log line.</summary>
    public bool FirstConsumerReadAsFollower() => _role == PartitionRole.Follower && Interlocked.Exchange(ref _servedConsumersAsFollower, 1) == 0;

    /// <summary>
    /// KIP-392, Kafka's RackAwareReplicaSelector: the follower a consumer in <paramref name="clientRack"/>
    /// should read from, or -1 for this leader. Only members of the committed ISR whose log already
    /// reaches <paramref name="fetchOffset"/> qualify (a lagging follower would keep the consumer
    /// behind); among those in the client's rack the one with the longest log wins, then the one
    /// caught up most recently. The leader itself wins when it is in the rack or no replica is.
    /// </summary>
    /// <param name="rackOf">The rack of a broker that may serve the client now (registered, unfenced, on its listener), else null.</param>
    public int PreferredReadReplica(string clientRack, long fetchOffset, Func<int, string?> rackOf)
    {
        if (clientRack.Length == 0 || rackOf(_context.LocalBrokerId) == clientRack)
            return -1;
        lock (_state)
        {
            if (_role != PartitionRole.Leader)
                return -1;
            RemoteReplica? best = null;
            foreach (var replica in _remotes.Values)
            {
                if (replica.LogEndOffset < fetchOffset || !_isr.Isr.Contains(replica.BrokerId) || rackOf(replica.BrokerId) != clientRack)
                    continue;
                if (best is null || replica.LogEndOffset > best.LogEndOffset
                    || (replica.LogEndOffset == best.LogEndOffset && replica.LastCaughtUpTimeMs > best.LastCaughtUpTimeMs))
                    best = replica;
            }
            return best?.BrokerId ?? -1;
        }
    }
}
