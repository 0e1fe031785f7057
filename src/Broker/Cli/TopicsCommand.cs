namespace Broker.Cli;

/// <summary>What <c>topics</c> was asked to do; the options mirror kafka-topics.sh.</summary>
public enum TopicsAction
{
    Create,
    List,
    Describe,
    Delete,
    Alter,
    AlterConfig,
}

/// <summary>Which partitions <c>describe</c> reports, as kafka-topics.sh's replication report options.</summary>
public enum PartitionReport
{
    /// <summary>Every topic and partition.</summary>
    All,

    /// <summary>--under-replicated-partitions: led, with fewer in-sync replicas than replicas.</summary>
    UnderReplicated,

    /// <summary>--under-min-isr-partitions: led, with fewer in-sync replicas than min.insync.replicas.</summary>
    UnderMinIsr,

    /// <summary>--at-min-isr-partitions: led, with exactly min.insync.replicas in sync.</summary>
    AtMinIsr,

    /// <summary>--unavailable-partitions: no leader, or a leader that is not a live broker.</summary>
    Unavailable,
}

/// <summary><c>topics &lt;action&gt; --bootstrap-server host:port ...</c>, parsed.</summary>
public sealed record TopicsCommand(
    TopicsAction Action,
    IReadOnlyList<(string Host, int Port)> BootstrapServers,
    string? Topic,
    int? Partitions,
    short? ReplicationFactor,
    IReadOnlyList<KeyValuePair<string, string>> Configs,
    IReadOnlyList<KeyValuePair<string, string>> AddConfigs,
    IReadOnlyList<string> DeleteConfigs,
    bool IfExists,
    bool IfNotExists,
    bool ExcludeInternal,
    PartitionReport Report = PartitionReport.All) : CliCommand;
