using Broker.Config;

namespace Broker.Operations;

/// <summary>
/// Where the operations HTTP endpoint listens, from <c>metrics.http.listener</c>
/// (<c>http://host:port</c>; an empty host or 0.0.0.0 means every IPv4 interface, :: every interface).
/// </summary>
public sealed record OperationsAddress(string Host, int Port)
{
    public const string ConfigKey = "metrics.http.listener";

    public bool BindsAllInterfaces => Host.Length == 0 || Host is "0.0.0.0" or "::";

    public override string ToString() => $"http://{HostPort.Format(Host, Port)}";

    /// <summary>The configured address, or null when the key is empty (endpoint off).</summary>
    public static OperationsAddress? From(BrokerConfig config) =>
        config.GetString(ConfigKey) is { Length: > 0 } text && TryParse(text, out var address) ? address : null;

    public static bool TryParse(string text, out OperationsAddress? address)
    {
        address = null;
        ListenerEndpoint endpoint;
        try
        {
            // Same shape as a Kafka listener, with the scheme in the name's place.
            endpoint = ListenerEndpoint.Parse(ConfigKey, text);
        }
        catch (ConfigException)
        {
            return false;
        }
        if (endpoint.ListenerName != "HTTP")
            return false;
        address = new OperationsAddress(endpoint.Host, endpoint.Port);
        return true;
    }
}
