namespace Broker.Config;

/// <summary>What the node was started with; each later source overrides the earlier ones.</summary>
public sealed record BrokerConfigSources
{
    /// <summary>A server.properties file, or null.</summary>
    public string? PropertiesFile { get; init; }

    /// <summary>The process environment (all variables; only KAFKA_* ones are used).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary><c>--override key=value</c> pairs in command-line order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Overrides { get; init; } = [];
}

/// <summary>
/// Layers the sources: Kafka defaults, then the zero-config defaults (only when neither a file
/// nor a KAFKA_* variable is given, as the apache/kafka image uses its default file only when no
/// variable is set), then server.properties, then KAFKA_* variables (the image builds its file
/// from them, so they win over a mounted file), then --override, which wins over everything as
/// with kafka-server-start.sh. Config-provider references (<c>${env:NAME}</c>, <c>${file:path:key}</c>)
/// are resolved last, whichever layer they came from.
/// </summary>
public static class BrokerConfigLoader
{
    public static BrokerConfig Load(BrokerConfigSources sources)
    {
        var settings = new Dictionary<string, ConfigSetting>(StringComparer.Ordinal);
        var fromEnvironment = KafkaEnvironment.ToConfig(sources.Environment);
        var devMode = sources.PropertiesFile is null && fromEnvironment.Count == 0;

        if (devMode)
            Apply(settings, DevDefaults.Properties, ConfigOrigin.DevDefault);
        if (sources.PropertiesFile is { } path)
            Apply(settings, ReadFile(path), ConfigOrigin.PropertiesFile);
        Apply(settings, fromEnvironment, ConfigOrigin.Environment);
        Apply(settings, sources.Overrides, ConfigOrigin.Override);
        ConfigProviders.Resolve(settings, sources.Environment);
        return new BrokerConfig(settings, devMode);
    }

    private static IReadOnlyDictionary<string, string> ReadFile(string path)
    {
        try
        {
            return JavaProperties.Load(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            throw new ConfigException("server.properties", path, $"Cannot read the file: {e.Message}");
        }
    }

    private static void Apply(Dictionary<string, ConfigSetting> settings, IEnumerable<KeyValuePair<string, string>> values, ConfigOrigin origin)
    {
        foreach (var (key, value) in values)
            settings[key] = new ConfigSetting(value, origin);
    }
}
