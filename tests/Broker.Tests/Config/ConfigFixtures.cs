using Broker.Config;

namespace Broker.Broker.Tests.Config;

/// <summary>Valid starting points that tests change one key at a time.</summary>
internal static class ConfigFixtures
{
    /// <summary>The dev defaults as explicit properties, changed by <paramref name="changes"/>; a null value removes the key.</summary>
    public static Dictionary<string, string> Combined(params (string Key, string? Value)[] changes)
    {
        var properties = new Dictionary<string, string>(DevDefaults.Properties);
        foreach (var (key, value) in changes)
        {
            if (value is null)
                properties.Remove(key);
            else
                properties[key] = value;
        }
        return properties;
    }

    public static BrokerConfig Build(params (string Key, string? Value)[] changes) =>
        BrokerConfig.FromProperties(Combined(changes));

    public static ConfigException Invalid(params (string Key, string? Value)[] changes) =>
        Assert.Throws<ConfigException>(() => Build(changes));
}
