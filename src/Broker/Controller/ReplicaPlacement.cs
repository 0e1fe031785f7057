using Broker.Metadata;

namespace Broker.Controller;

/// <summary>
/// Spreads partition replicas over the usable brokers. The brokers are first interleaved by rack
/// (one from each rack in turn), and partition p starts at position (start + p) of that order, so
/// leaders rotate across brokers and racks. Each further replica is the next broker in the order on
/// a rack the partition does not use yet; only once every rack holds a replica may racks repeat.
/// Without racks this is plain round-robin.
/// </summary>
public static class ReplicaPlacement
{
    public static IReadOnlyList<int>[] Place(IReadOnlyCollection<BrokerImage> usableBrokers, int firstPartition, int partitions, int replicationFactor, int start)
    {
        if (replicationFactor > usableBrokers.Count)
            throw new ArgumentOutOfRangeException(nameof(replicationFactor), "More replicas than brokers.");
        var ordered = RackAlternating(usableBrokers);
        var rackCount = ordered.Select(b => b.Rack).Distinct().Count();
        var result = new IReadOnlyList<int>[partitions];
        for (var p = 0; p < partitions; p++)
        {
            var first = (start + firstPartition + p) % ordered.Count;
            var replicas = new List<int>(replicationFactor);
            var racks = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; replicas.Count < replicationFactor; i++)
            {
                var candidate = ordered[(first + i) % ordered.Count];
                if (replicas.Contains(candidate.Id))
                    continue;
                // First pass over the ring: new racks only. Later passes: whatever is left.
                if (i < ordered.Count && racks.Count < rackCount && racks.Contains(candidate.Rack))
                    continue;
                replicas.Add(candidate.Id);
                racks.Add(candidate.Rack);
            }
            result[p] = replicas;
        }
        return result;
    }

    private static List<(int Id, string Rack)> RackAlternating(IReadOnlyCollection<BrokerImage> brokers)
    {
        var byRack = brokers.GroupBy(b => b.Rack ?? "").OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Rack: g.Key, Ids: new Queue<int>(g.Select(b => b.Id).Order()))).ToList();
        var ordered = new List<(int, string)>(brokers.Count);
        while (ordered.Count < brokers.Count)
            foreach (var (rack, ids) in byRack)
                if (ids.Count > 0)
                    ordered.Add((ids.Dequeue(), rack));
        return ordered;
    }
}
