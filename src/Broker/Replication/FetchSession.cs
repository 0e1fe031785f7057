using Broker.Protocol.Wire;

namespace Broker.Replication;

/// <summary>What a fetch session remembers of one partition: where the client reads and what it was last told.</summary>
public sealed class FetchSessionPartition(string topic, Uuid topicId, int partition)
{
    public string Topic { get; } = topic;
    public Uuid TopicId { get; } = topicId;
    public int Partition { get; } = partition;
    public long FetchOffset { get; set; }
    public int MaxBytes { get; set; }
    public int CurrentLeaderEpoch { get; set; } = -1;
    public long LastHighWatermark { get; set; } = -1;
    public long LastLogStartOffset { get; set; } = -1;
}

/// <summary>
/// One incremental fetch session (KIP-227): the partitions a client fetches, so that it only sends
/// what changed and is only sent what changed.
/// </summary>
public sealed class FetchSession(int id)
{
    public int Id { get; } = id;

    /// <summary>The epoch the next request must carry.</summary>
    public int NextEpoch { get; set; } = 1;

    public long LastUsedTicks { get; set; } = Environment.TickCount64;

    /// <summary>Insertion-ordered, as Kafka keeps them: responses list partitions in the order they joined.</summary>
    public List<FetchSessionPartition> Partitions { get; } = [];

    public FetchSessionPartition? Find(Uuid topicId, string topic, int partition) =>
        Partitions.Find(p => p.Partition == partition && (topicId.IsZero ? p.Topic == topic : p.TopicId == topicId));
}
