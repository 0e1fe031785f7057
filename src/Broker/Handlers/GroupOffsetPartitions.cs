using Broker.Log;
using Broker.Metadata;
using Broker.Protocol;

namespace Broker.Handlers;

/// <summary>
/// OffsetCommit and OffsetDelete name partitions topic by topic and answer one error per partition.
/// As Kafka does, a partition the cluster does not have gets UNKNOWN_TOPIC_OR_PARTITION and never
/// reaches the coordinator, so no offset is kept for a topic that does not exist.
/// </summary>
public static class GroupOffsetPartitions
{
    /// <summary>
    /// Hands the existing partitions, in request order, to <paramref name="apply"/> (which answers one
    /// error each) and returns one error per requested partition.
    /// </summary>
    public static List<ErrorCode> Apply<T>(
        MetadataImage image, IReadOnlyList<T> requested, Func<T, TopicPartition> partitionOf, Func<List<T>, List<ErrorCode>> apply)
    {
        var exists = requested.Select(r => Exists(image, partitionOf(r))).ToList();
        var known = requested.Where((_, i) => exists[i]).ToList();
        var results = apply(known);
        var merged = new List<ErrorCode>(requested.Count);
        var next = 0;
        foreach (var found in exists)
            merged.Add(found ? results[next++] : ErrorCode.UnknownTopicOrPartition);
        return merged;
    }

    /// <summary>Requested partitions flattened in request order: the order <see cref="Apply"/> answers in.</summary>
    public static List<TopicPartition> Flatten<TTopic>(IEnumerable<TTopic> topics, Func<TTopic, string> name, Func<TTopic, IEnumerable<int>> partitions) =>
        topics.SelectMany(t => partitions(t).Select(p => new TopicPartition(name(t), p))).ToList();

    private static bool Exists(MetadataImage image, TopicPartition partition) =>
        image.Topic(partition.Topic)?.Partitions.Any(p => p.PartitionId == partition.Partition) == true;
}
