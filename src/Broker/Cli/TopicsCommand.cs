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
    bool ExcludeInternal) : CliCommand;
