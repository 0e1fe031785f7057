using System.Globalization;

namespace Broker.Config;

/// <summary><c>host:port</c> with IPv6 hosts in brackets, as Kafka writes addresses.</summary>
public static class HostPort
{
    public static (string Host, int Port) Parse(string key, string text)
    {
        var trimmed = text.Trim();
        var colon = trimmed.LastIndexOf(':');
        if (colon <= 0 || colon == trimmed.Length - 1)
            throw new ConfigException(key, text, "Expected host:port");
        var host = trimmed[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
            host = host[1..^1];
        else if (host.Contains(':'))
            throw new ConfigException(key, text, "IPv6 addresses must be written in brackets, e.g. [::1]:9093");
        if (!int.TryParse(trimmed[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is 0 or > 65535)
            throw new ConfigException(key, text, "Port must be in 1..65535");
        return (host, port);
    }

    public static string Format(string host, int port) =>
        $"{(host.Contains(':') ? $"[{host}]" : host)}:{port.ToString(CultureInfo.InvariantCulture)}";
}
