using Broker.Config;
using Broker.Metadata;
using Broker.Protocol.MetadataRecords;

namespace Broker.Controller;

/// <summary>
/// Who leads a partition, and the partition changes that follow a broker leaving service (fenced,
/// shutting down, unregistered) or returning to it. A clean election picks the first replica, in
/// assignment order, that is in the ISR and usable; the ISR never becomes empty (its last member
/// stays, as in Kafka, so that the partition can recover with it). Where the topic allows
/// <c>unclean.leader.election.enable</c> and no in-sync replica can lead, the first usable
/// out-of-sync replica leads instead: the ISR becomes just it and the partition is RECOVERING
/// until the new leader reports otherwise (KIP-704).
/// </summary>
public static class PartitionLeadership
{
    /// <summary>PartitionChangeRecord's Leader value meaning "unchanged".</summary>
    public const int NoChange = -2;

    /// <summary>A broker can lead or join an ISR when it is registered, unfenced, not shutting down and has no failed log directory.</summary>
    public static bool Usable(MetadataImage image, int brokerId) =>
        image.Brokers.TryGetValue(brokerId, out var b) && !b.Fenced && !b.InControlledShutdown && b.OfflineLogDirs.Count == 0;

    /// <summary><c>unclean.leader.election.enable</c> of a topic: its own override, else the broker's setting.</summary>
    public static bool UncleanAllowed(MetadataImage image, BrokerConfig config, string topic) =>
        image.ConfigsOf(ConfigResourceType.Topic, topic).TryGetValue("unclean.leader.election.enable", out var value)
            ? string.Equals(value, "true", StringComparison.OrdinalIgnoreCase)
            : config.GetBoolean("unclean.leader.election.enable");

    /// <summary>
    /// The partition with a leader chosen among <paramref name="isr"/> (clean) or, when
    /// <paramref name="unclean"/>, among all its replicas; null when nobody can lead.
    /// </summary>
    public static PartitionImage? Elect(PartitionImage p, IReadOnlyList<int> isr, Func<int, bool> usable, bool unclean)
    {
        var clean = p.Replicas.FirstOrDefault(r => isr.Contains(r) && usable(r), -1);
        if (clean != -1)
            return p with { Leader = clean, Isr = isr };
        if (!unclean)
            return null;
        var any = p.Replicas.FirstOrDefault(usable, -1);
        return any == -1 ? null : p with { Leader = any, Isr = [any], LeaderRecoveryState = PartitionImage.Recovering };
    }

    /// <summary>Leaves no leadership and no ISR membership on <paramref name="brokerId"/> where another usable replica can take over.</summary>
    /// <param name="keepLeaderWithoutSuccessor">
    /// Controlled shutdown: a partition that has no other in-sync replica keeps its leader, since
    /// moving it would only make the partition unavailable until the same broker returns.
    /// Fencing passes false: the leader becomes none (-1), as Kafka does.
    /// </param>
    /// <param name="unclean">Whether a topic allows an out-of-sync replica to lead.</param>
    public static List<PartitionChangeRecord> MoveAway(
        MetadataImage image, int brokerId, Func<int, bool> usable, bool keepLeaderWithoutSuccessor, Func<string, bool> unclean)
    {
        var changes = new List<PartitionChangeRecord>();
        foreach (var topic in image.TopicsById.Values)
            foreach (var p in topic.Partitions)
            {
                if (p.Leader != brokerId && !p.Isr.Contains(brokerId))
                    continue;
                var isr = p.Isr.Where(r => r != brokerId).ToList();
                var next = p with { Isr = isr };
                if (p.Leader == brokerId)
                {
                    var elected = Elect(p, isr, r => r != brokerId && usable(r), unclean(topic.Name));
                    if (elected is null && keepLeaderWithoutSuccessor)
                        continue;
                    next = elected ?? next with { Leader = -1 };
                }
                if (next.Isr.Count == 0)
                    next = next with { Isr = p.Isr };
                if (PartitionChanges.Diff(topic.Id, p, next) is { } change)
                    changes.Add(change);
            }
        return changes;
    }

    /// <summary>
    /// Partitions without a leader that can have one now (an in-sync replica is back, or the topic
    /// allows an unclean election and some replica is usable).
    /// </summary>
    public static List<PartitionChangeRecord> ElectLeaderless(MetadataImage image, Func<int, bool> usable, Func<string, bool> unclean)
    {
        var changes = new List<PartitionChangeRecord>();
        foreach (var topic in image.TopicsById.Values)
            foreach (var p in topic.Partitions)
            {
                if (p.Leader != -1)
                    continue;
                if (Elect(p, p.Isr, usable, unclean(topic.Name)) is { } elected && PartitionChanges.Diff(topic.Id, p, elected) is { } change)
                    changes.Add(change);
            }
        return changes;
    }
}
