using Broker.Config;
using Broker.Metadata;

namespace Broker.Operations;

/// <summary>
/// Whether stopping this broker now keeps every partition at or above its <c>min.insync.replicas</c>:
/// a partition whose ISR holds this broker loses one member, so it needs ISR size - 1 ≥ min ISR.
/// Partitions this broker is not in sync for lose nothing. What a rolling restart waits for.
/// </summary>
public static class SafeToRoll
{
    /// <summary>At most this many partitions are listed in the answer; the count covers all of them.</summary>
    public const int ListedAtMost = 20;

    public static (int Count, IReadOnlyList<PartitionAtRisk> Listed) PartitionsAtRisk(BrokerConfig config, MetadataImage image, int nodeId)
    {
        var listed = new List<PartitionAtRisk>();
        var count = 0;
        foreach (var topic in image.TopicsByName.Values)
        {
            int? minIsr = null;
            foreach (var partition in topic.Partitions)
            {
                if (!partition.Isr.Contains(nodeId))
                    continue;
                minIsr ??= MinInsyncReplicas(config, image, topic.Name);
                if (partition.Isr.Count - 1 >= minIsr)
                    continue;
                count++;
                if (listed.Count < ListedAtMost)
                    listed.Add(new PartitionAtRisk(topic.Name, partition.PartitionId, [.. partition.Isr], minIsr.Value));
            }
        }
        return (count, listed);
    }

    private static int MinInsyncReplicas(BrokerConfig config, MetadataImage image, string topic) =>
        TopicConfigDefinitions.Resolve(config, image.ConfigsOf(ConfigResourceType.Topic, topic)).MinInsyncReplicas;
}
