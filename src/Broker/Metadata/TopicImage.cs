using Broker.Protocol.Wire;

namespace Broker.Metadata;

/// <summary>A topic: its id, name and partitions in partition-id order.</summary>
public sealed record TopicImage(string Name, Uuid Id, IReadOnlyList<PartitionImage> Partitions)
{
    /// <summary>Kafka's internal topics are flagged in Metadata responses.</summary>
    public bool IsInternal => Name is "__consumer_offsets" or "__transaction_state";
}
