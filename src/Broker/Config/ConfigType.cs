namespace Broker.Config;

/// <summary>Kafka's configuration value types; DescribeConfigs reports them by these names.</summary>
public enum ConfigType
{
    Boolean,
    String,
    Int,
    Short,
    Long,
    Double,
    List,
    Class,
    Password,
}
