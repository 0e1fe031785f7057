using Broker.Metadata;
using Broker.Protocol.MetadataRecords;

namespace Broker.Controller;

/// <summary>
/// The partition changes that follow a broker leaving service (fenced, shutting down, unregistered)
/// or returning to it. The leader is always the first replica, in assignment order, that is in the
/// ISR and usable; the ISR never becomes empty (its last member stays, as in Kafka, so that the
/// partition can recover with it).
/// </summary>
public static class PartitionLeadership
{
    /// <summary>Leaves no leadership and no ISR membership on <paramref name="brokerId"/> where another usable in-sync replica can take over.</summary>
    /// <param name="keepLeaderWithoutSuccessor">
    /// Controlled shutdown: a partition that has no other in-sync replica keeps its leader, since
    /// moving it would only make the partition unavailable until the same broker returns.
    /// Fencing passes false: the leader becomes none (-1), as Kafka does.
    /// </param>
    public static List<PartitionChangeRecord> MoveAway(MetadataImage image, int brokerId, Func<int, bool> usable, bool keepLeaderWithoutSuccessor)
    {
        var changes = new List<PartitionChangeRecord>();
        foreach (var topic in image.TopicsById.Values)
            foreach (var p in topic.Partitions)
            {
                if (p.Leader != brokerId && !p.Isr.Contains(brokerId))
                    continue;
                var isr = p.Isr.Where(r => r != brokerId).ToList();
                var leader = p.Leader;
                if (p.Leader == brokerId)
                {
                    leader = p.Replicas.FirstOrDefault(r => r != brokerId && isr.Contains(r) && usable(r), -1);
                    if (leader == -1 && keepLeaderWithoutSuccessor)
                        continue;
                }
                if (isr.Count == 0)
                    isr = [.. p.Isr];
                var change = new PartitionChangeRecord { TopicId = topic.Id, PartitionId = p.PartitionId };
                if (leader != p.Leader)
                    change.Leader = leader;
                if (!isr.SequenceEqual(p.Isr))
                    change.Isr = isr;
                if (change.Leader != NoChange || change.Isr is not null)
                    changes.Add(change);
            }
        return changes;
    }

    /// <summary>Partitions without a leader whose ISR holds <paramref name="brokerId"/> get a leader again now that it is back.</summary>
    public static List<PartitionChangeRecord> ElectLeaderless(MetadataImage image, int brokerId, Func<int, bool> usable)
    {
        var changes = new List<PartitionChangeRecord>();
        foreach (var topic in image.TopicsById.Values)
            foreach (var p in topic.Partitions)
            {
                if (p.Leader != -1 || !p.Isr.Contains(brokerId))
                    continue;
                var leader = p.Replicas.FirstOrDefault(r => p.Isr.Contains(r) && (r == brokerId || usable(r)), -1);
                if (leader != -1)
                    changes.Add(new PartitionChangeRecord { TopicId = topic.Id, PartitionId = p.PartitionId, Leader = leader });
            }
        return changes;
    }

    /// <summary>PartitionChangeRecord's Leader value meaning "unchanged".</summary>
    public const int NoChange = -2;
}
