using System.Globalization;
using System.Text.RegularExpressions;

namespace Broker.Config;

/// <summary>
/// One entry of <c>listeners</c> / <c>advertised.listeners</c>: <c>NAME://host:port</c>. An empty
/// host means every interface; IPv6 hosts are written in brackets. Names are upper-cased as Kafka
/// does, so <c>plaintext://</c> and <c>PLAINTEXT://</c> are the same listener.
/// </summary>
public sealed partial record ListenerEndpoint(string ListenerName, string Host, int Port)
{
    public bool BindsAllInterfaces => Host.Length == 0 || Host is "0.0.0.0" or "::";

    public override string ToString() => $"{ListenerName}://{HostPort.Format(Host, Port)}";

    public static IReadOnlyList<ListenerEndpoint> ParseList(string key, string? text)
    {
        if (text is null)
            return [];
        return ConfigValueParser.SplitList(text).Select(item => Parse(key, item)).ToArray();
    }

    public static ListenerEndpoint Parse(string key, string text)
    {
        var match = Pattern().Match(text.Trim());
        if (!match.Success)
            throw new ConfigException(key, text, "Expected NAME://host:port (host may be empty, IPv6 in brackets)");
        if (!int.TryParse(match.Groups["port"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port > 65535)
            throw new ConfigException(key, text, $"Port {match.Groups["port"].Value} is not in 0..65535");
        var host = match.Groups["v6"].Success ? match.Groups["v6"].Value : match.Groups["host"].Value;
        return new ListenerEndpoint(match.Groups["name"].Value.ToUpperInvariant(), host, port);
    }

    [GeneratedRegex(@"^(?<name>[A-Za-z0-9_\-.]+)://(?:\[(?<v6>[0-9A-Fa-f:.%a-z]+)\]|(?<host>[A-Za-z0-9\-._%]*)):(?<port>[0-9]+)$")]
    private static partial Regex Pattern();
}
