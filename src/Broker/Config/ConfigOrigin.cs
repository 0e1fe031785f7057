namespace Broker.Config;

/// <summary>Where a broker setting came from; later layers override earlier ones.</summary>
public enum ConfigOrigin
{
    /// <summary>Kafka's built-in default.</summary>
    Default,

    /// <summary>The zero-config single-node defaults, used when no file and no KAFKA_* variable is given.</summary>
    DevDefault,

    PropertiesFile,

    /// <summary>A KAFKA_* environment variable.</summary>
    Environment,

    /// <summary><c>--override key=value</c> on the command line.</summary>
    Override,
}

/// <summary>A value given explicitly, and by which layer.</summary>
public sealed record ConfigSetting(string Value, ConfigOrigin Origin);
