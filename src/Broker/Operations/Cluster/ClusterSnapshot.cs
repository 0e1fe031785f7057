namespace Broker.Operations.Cluster;

/// <summary>What /api/cluster answers: the cluster as the node serving the page sees it.</summary>
public sealed record ClusterSnapshot(
    string ClusterId,
    int ServedBy,
    int QuorumLeader,
    IReadOnlyList<BrokerRow> Brokers,
    IReadOnlyList<TopicRow> Topics,
    IReadOnlyList<GroupRow> Groups,
    ThroughputTotals Throughput);

/// <param name="QuorumRole">leader, voter or observer of the metadata quorum.</param>
/// <param name="QuorumLag">Metadata records behind the quorum leader; known when the page is served by the leader.</param>
public sealed record BrokerRow(int Id, string? Rack, bool Fenced, bool Controller, string QuorumRole, long? QuorumLag);

public sealed record TopicRow(string Name, IReadOnlyList<PartitionRow> Partitions);

/// <param name="SizeBytes">Bytes of the local log; null when the serving node hosts no replica.</param>
public sealed record PartitionRow(int Partition, int Leader, int[] Replicas, int[] Isr, bool UnderReplicated, bool Offline, long? SizeBytes);

/// <summary>A consumer group coordinated by the serving node.</summary>
public sealed record GroupRow(string Group, string State, int Members, IReadOnlyList<GroupPartitionRow> Partitions);

public sealed record GroupPartitionRow(string Topic, int Partition, long Committed, long? Lag);

/// <summary>Totals since the serving node started; the page turns successive polls into rates.</summary>
public sealed record ThroughputTotals(long AtMs, double MessagesIn, double BytesIn, double BytesOut);
