namespace Broker.Config;

/// <summary>Parses <c>listener.security.protocol.map</c>: <c>NAME:PROTOCOL</c> pairs.</summary>
public static class SecurityProtocolMap
{
    public const string Key = "listener.security.protocol.map";

    /// <summary>Kafka's security protocols. Only PLAINTEXT is served by this broker so far.</summary>
    public static readonly IReadOnlyList<string> KnownProtocols = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"];

    public static readonly IReadOnlyList<string> SupportedProtocols = ["PLAINTEXT"];

    public static IReadOnlyDictionary<string, string> Parse(string text)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in ConfigValueParser.SplitList(text))
        {
            var colon = entry.IndexOf(':');
            if (colon <= 0 || colon == entry.Length - 1)
                throw new ConfigException(Key, text, $"Entry '{entry}' is not NAME:PROTOCOL");
            var name = entry[..colon].Trim().ToUpperInvariant();
            var protocol = entry[(colon + 1)..].Trim().ToUpperInvariant();
            if (!KnownProtocols.Contains(protocol))
                throw new ConfigException(Key, text, $"Unknown security protocol {protocol} for listener {name}; expected one of {string.Join(", ", KnownProtocols)}");
            if (!map.TryAdd(name, protocol))
                throw new ConfigException(Key, text, $"Listener {name} is mapped more than once");
        }
        return map;
    }
}
