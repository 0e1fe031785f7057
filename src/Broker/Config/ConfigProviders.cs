using System.Text.RegularExpressions;

namespace Broker.Config;

/// <summary>
/// Kafka's config providers (KIP-297, KIP-887) for the two built-in kinds that need no plug-in:
/// <c>config.providers=env,file</c> with <c>config.providers.env.class=…EnvVarConfigProvider</c> and
/// <c>config.providers.file.class=…FileConfigProvider</c>; then a value may say <c>${env:NAME}</c>
/// (an environment variable) or <c>${file:/path/to/file.properties:key}</c> (a key of a properties
/// file). This is how one StatefulSet template gives each pod its own address: a value such as
/// <c>PLAINTEXT://${env:POD_NAME}.kafka-headless:9092</c> with POD_NAME from the downward API.
/// A reference to a provider that is not declared stays as written, as in Kafka; a reference
/// to a declared provider that cannot be resolved is an error naming the key, where Kafka would
/// keep the text and fail later with a less helpful message.
/// </summary>
public static partial class ConfigProviders
{
    public const string ListKey = "config.providers";
    public const string KeyPrefix = "config.providers.";
    public const string EnvClass = "org.apache.kafka.common.config.provider.EnvVarConfigProvider";
    public const string FileClass = "org.apache.kafka.common.config.provider.FileConfigProvider";

    /// <summary>Keys that configure providers (<c>config.providers.NAME.class</c> and their parameters).</summary>
    public static bool IsProviderKey(string key) => key.StartsWith(KeyPrefix, StringComparison.Ordinal);

    [GeneratedRegex(@"\$\{([^}:]*?):(?:([^}]*?):)?([^}]*?)\}")]
    private static partial Regex Reference();

    /// <summary>Replaces every reference to a declared provider in <paramref name="settings"/>.</summary>
    public static void Resolve(Dictionary<string, ConfigSetting> settings, IReadOnlyDictionary<string, string> environment)
    {
        var providers = Declared(settings);
        if (providers.Count == 0)
            return;
        var files = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (key, setting) in settings.ToArray())
        {
            if (IsProviderKey(key) || !setting.Value.Contains("${", StringComparison.Ordinal))
                continue;
            var resolved = Reference().Replace(setting.Value, match =>
            {
                var provider = match.Groups[1].Value;
                if (!providers.TryGetValue(provider, out var className))
                    return match.Value;
                var path = match.Groups[2].Success ? match.Groups[2].Value : "";
                var name = match.Groups[3].Value;
                return className == EnvClass
                    ? FromEnvironment(key, setting.Value, environment, name)
                    : FromFile(key, setting.Value, files, path, name);
            });
            settings[key] = setting with { Value = resolved };
        }
    }

    private static Dictionary<string, string> Declared(Dictionary<string, ConfigSetting> settings)
    {
        var declared = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!settings.TryGetValue(ListKey, out var list))
            return declared;
        foreach (var name in ConfigValueParser.SplitList(list.Value))
        {
            var classKey = $"{KeyPrefix}{name}.class";
            var className = settings.GetValueOrDefault(classKey)?.Value.Trim();
            if (className is null)
                throw new ConfigException(classKey, $"Missing: {ListKey} names provider '{name}'");
            if (className is not (EnvClass or FileClass))
                throw new ConfigException(classKey, className, $"Only {EnvClass} and {FileClass} are built in");
            declared[name] = className;
        }
        return declared;
    }

    private static string FromEnvironment(string key, string value, IReadOnlyDictionary<string, string> environment, string name) =>
        environment.TryGetValue(name, out var found)
            ? found
            : throw new ConfigException(key, value, $"The environment variable {name} is not set");

    private static string FromFile(string key, string value, Dictionary<string, IReadOnlyDictionary<string, string>> files, string path, string name)
    {
        if (!files.TryGetValue(path, out var properties))
        {
            try
            {
                properties = JavaProperties.Load(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                throw new ConfigException(key, value, $"Cannot read {path}: {e.Message}");
            }
            files[path] = properties;
        }
        return properties.TryGetValue(name, out var found)
            ? found
            : throw new ConfigException(key, value, $"{path} has no key {name}");
    }
}
