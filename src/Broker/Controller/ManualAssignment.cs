using Broker.Metadata;

namespace Broker.Controller;

/// <summary>Kafka's checks of one partition's manually assigned replicas, worded as Kafka words them.</summary>
public static class ManualAssignment
{
    /// <param name="replication">The replica count every partition must have (a topic's existing partitions), or null.</param>
    /// <param name="usable">Brokers that may lead: registered, unfenced, not shutting down.</param>
    public static string? Check(IReadOnlyList<int> ids, int partition, MetadataImage image, int? replication, IReadOnlyCollection<BrokerImage> usable)
    {
        if (ids.Count == 0)
            return "The manual partition assignment includes an empty replica list.";
        if (ids.GroupBy(id => id).FirstOrDefault(g => g.Count() > 1) is { } twice)
            return $"The manual partition assignment includes the broker {twice.Key} more than once.";
        if (ids.FirstOrDefault(id => !image.Brokers.ContainsKey(id), -1) is var unknown and not -1)
            return $"The manual partition assignment includes broker {unknown}, but no such broker is registered.";
        if (replication is { } expected && ids.Count != expected)
            return $"The manual partition assignment includes a partition with {ids.Count} replica(s), but this is not consistent with previous partitions, which have {expected} replica(s).";
        if (ids.All(id => usable.All(b => b.Id != id)))
            return $"All brokers specified in the manual partition assignment for partition {partition} are fenced or in controlled shutdown.";
        return null;
    }
}
