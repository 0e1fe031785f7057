using System.Collections;

namespace Broker.Config;

/// <summary>
/// The apache/kafka container image convention for configuration in environment variables:
/// <c>KAFKA_NODE_ID</c> → <c>node.id</c>. After the prefix, <c>___</c> means '-', <c>__</c>
/// means '_', '_' means '.', and the name is lower-cased.
/// </summary>
public static class KafkaEnvironment
{
    private const string Prefix = "KAFKA_";

    /// <summary>The image's own settings (JVM, logging) that share the prefix but are not keys.</summary>
    private static readonly HashSet<string> NotConfiguration = new(StringComparer.Ordinal)
    {
        "KAFKA_VERSION", "KAFKA_HEAP_OPTS", "KAFKA_HEAP_OPT", "KAFKA_LOG4J_OPTS", "KAFKA_OPTS",
        "KAFKA_JMX_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_GC_LOG_OPTS", "KAFKA_LOG4J_ROOT_LOGLEVEL",
        "KAFKA_LOG4J_LOGGERS", "KAFKA_TOOLS_LOG4J_LOGLEVEL", "KAFKA_JMX_HOSTNAME",
    };

    /// <summary>The variable the image reads the cluster id from when it formats storage itself.</summary>
    public const string ClusterIdVariable = "CLUSTER_ID";

    /// <summary>Maps variable name to configuration key, or null when it is not one.</summary>
    public static string? ToConfigKey(string variable)
    {
        if (!variable.StartsWith(Prefix, StringComparison.Ordinal) || variable.Length == Prefix.Length
            || NotConfiguration.Contains(variable))
            return null;
        return variable[Prefix.Length..]
            .Replace("___", "-", StringComparison.Ordinal)
            .Replace("__", "\0", StringComparison.Ordinal)
            .Replace('_', '.')
            .Replace('\0', '_')
            .ToLowerInvariant();
    }

    public static IReadOnlyDictionary<string, string> ToConfig(IEnumerable<KeyValuePair<string, string>> variables)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in variables.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            if (ToConfigKey(name) is { } key)
                result[key] = value;
        }
        return result;
    }

    public static IReadOnlyDictionary<string, string> Snapshot()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && entry.Value is string value)
                result[name] = value;
        }
        return result;
    }
}
