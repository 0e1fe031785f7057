using Broker.Metadata;

namespace Broker.Controller;

/// <summary>
/// Spreads partition replicas over the live brokers: partition p's first replica goes to broker
/// (start + p), the others follow in order, so leaders rotate across the cluster. With racks set,
/// brokers are interleaved by rack first so that consecutive replicas land on different racks.
/// </summary>
public static class ReplicaPlacement
{
    public static IReadOnlyList<int>[] Place(IReadOnlyCollection<BrokerImage> liveBrokers, int firstPartition, int partitions, int replicationFactor, int start)
    {
        var ordered = RackAlternating(liveBrokers);
        var result = new IReadOnlyList<int>[partitions];
        for (var p = 0; p < partitions; p++)
        {
            var replicas = new int[replicationFactor];
            for (var r = 0; r < replicationFactor; r++)
                replicas[r] = ordered[(start + firstPartition + p + r) % ordered.Count];
            result[p] = replicas;
        }
        return result;
    }

    private static List<int> RackAlternating(IReadOnlyCollection<BrokerImage> brokers)
    {
        var byRack = brokers.GroupBy(b => b.Rack ?? "").OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new Queue<int>(g.Select(b => b.Id).Order())).ToList();
        var ordered = new List<int>(brokers.Count);
        while (ordered.Count < brokers.Count)
            foreach (var rack in byRack)
                if (rack.Count > 0)
                    ordered.Add(rack.Dequeue());
        return ordered;
    }
}
