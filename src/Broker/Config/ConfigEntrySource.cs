namespace Broker.Config;

/// <summary>DescribeConfigs' ConfigSource codes, as on the wire.</summary>
public enum ConfigEntrySource : sbyte
{
    Unknown = 0,
    DynamicTopicConfig = 1,
    DynamicBrokerConfig = 2,
    DynamicDefaultBrokerConfig = 3,
    StaticBrokerConfig = 4,
    DefaultConfig = 5,
    DynamicBrokerLoggerConfig = 6,
    ClientMetricsConfig = 7,
    GroupConfig = 8,
}

/// <summary>One synonym line of a DescribeConfigs entry.</summary>
public sealed record ConfigSynonymView(string Name, string? Value, ConfigEntrySource Source);

/// <summary>
/// What DescribeConfigs reports for one key: the effective value, where it came from and the
/// synonyms that were considered, highest precedence first.
/// </summary>
public sealed record ConfigEntryView(
    string Name,
    string? Value,
    ConfigEntrySource Source,
    bool IsSensitive,
    bool IsReadOnly,
    ConfigType Type,
    string Documentation,
    IReadOnlyList<ConfigSynonymView> Synonyms);
