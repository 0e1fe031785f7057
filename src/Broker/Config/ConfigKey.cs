namespace Broker.Config;

/// <summary>
/// One configuration key: its Kafka name, type, default (as the text Kafka renders it, null when
/// the default is "unset"), validity rule and documentation.
/// </summary>
/// <param name="Required">Kafka's "no default value": the key must be given explicitly.</param>
public sealed record ConfigKey(
    string Name,
    ConfigType Type,
    string? DefaultValue,
    string Documentation,
    ConfigValidator? Validator = null,
    bool Required = false)
{
    public bool IsSensitive => Type == ConfigType.Password;

    /// <summary>Parses and validates <paramref name="raw"/>; null means "not set".</summary>
    public object? Parse(string? raw)
    {
        var value = ConfigValueParser.Parse(Name, Type, raw);
        var reason = Validator?.Check(value);
        if (reason is not null)
            throw new ConfigException(Name, IsSensitive ? "[hidden]" : raw, reason);
        return value;
    }
}
