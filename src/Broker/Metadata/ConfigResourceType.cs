namespace Broker.Metadata;

/// <summary>Kafka's config resource types as numbered on the wire and in ConfigRecord.</summary>
public enum ConfigResourceType : sbyte
{
    Unknown = 0,
    Topic = 2,
    Broker = 4,
    BrokerLogger = 8,
    ClientMetrics = 16,
    Group = 32,
}
