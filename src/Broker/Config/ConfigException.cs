namespace Broker.Config;

/// <summary>
/// A configuration that cannot be used. Always names the key so an operator knows what to fix;
/// request handlers turn it into INVALID_CONFIG with <see cref="Exception.Message"/> as the reason.
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string key, string reason)
        : base($"Invalid configuration {key}: {reason}")
    {
        Key = key;
        Reason = reason;
    }

    public ConfigException(string key, string? value, string reason)
        : base($"Invalid value {value ?? "null"} for configuration {key}: {reason}")
    {
        Key = key;
        Value = value;
        Reason = reason;
    }

    public string Key { get; }

    public string? Value { get; }

    public string Reason { get; }
}
