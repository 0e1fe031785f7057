using Broker.Metadata;

namespace Broker.Controller;

/// <summary>
/// Bounds on the partitions one request may create and one broker may host. Each partition costs
/// its hosts open files and memory for as long as it exists, so a single CreateTopics or
/// CreatePartitions must not be able to commit more than a node can open: once committed, the
/// metadata would make the node fail at every start.
/// </summary>
public sealed class PartitionLimits
{
    /// <summary>Kafka's QuorumController.MAX_RECORDS_PER_USER_OP: no user operation writes more metadata records.</summary>
    public const int MaxRecordsPerUserOp = 10000;

    /// <summary>The message Kafka's controller gives the POLICY_VIOLATION of an oversized operation.</summary>
    public const string ExcessiveBatchMessage = "Unable to perform excessively large batch operation.";

    private readonly Dictionary<int, int> _hosted = [];
    private readonly int _maxPerBroker;

    /// <summary>A budget for one request: replicas the image already places on each broker, and what this request adds.</summary>
    public PartitionLimits(MetadataImage image, int maxPerBroker)
    {
        _maxPerBroker = maxPerBroker;
        foreach (var topic in image.TopicsById.Values)
            foreach (var partition in topic.Partitions)
                foreach (var broker in partition.Replicas)
                    _hosted[broker] = _hosted.GetValueOrDefault(broker) + 1;
    }

    /// <summary>True when a request asking for this many new partitions in all is larger than one operation may be.</summary>
    public static bool TooLargeForOneOperation(long requestedPartitions) => requestedPartitions > MaxRecordsPerUserOp;

    /// <summary>
    /// Counts <paramref name="assignment"/> against <c>max.broker.partitions</c> and keeps it when every
    /// broker stays within it; otherwise keeps nothing and says which broker would go over.
    /// </summary>
    public string? TryReserve(IReadOnlyList<int>[] assignment)
    {
        var added = new Dictionary<int, int>();
        foreach (var replicas in assignment)
            foreach (var broker in replicas)
                added[broker] = added.GetValueOrDefault(broker) + 1;
        foreach (var (broker, count) in added)
        {
            var total = (long)_hosted.GetValueOrDefault(broker) + count;
            if (total > _maxPerBroker)
                return $"Broker {broker} would host {total} partition replicas, more than max.broker.partitions ({_maxPerBroker}).";
        }
        foreach (var (broker, count) in added)
            _hosted[broker] = _hosted.GetValueOrDefault(broker) + count;
        return null;
    }
}
