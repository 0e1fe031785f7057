using Broker.Config;

namespace Broker.Network;

/// <summary>What one client may cost the socket server, with Kafka's config names.</summary>
/// <param name="MaxRequestSize">socket.request.max.bytes: larger frames close the connection before any of their bytes are read.</param>
/// <param name="ConnectionsMaxIdleMs">connections.max.idle.ms: negative never closes idle connections.</param>
/// <param name="MaxConnections">max.connections, over every listener but the exempt ones.</param>
/// <param name="MaxConnectionsPerIp">max.connections.per.ip, over every listener but the exempt ones.</param>
/// <param name="QueuedMaxRequestBytes">queued.max.request.bytes as configured; see <see cref="RequestMemoryBudget"/>.</param>
/// <param name="ExemptListeners">Listeners whose connections the connection limits ignore: the controller quorum must never be locked out by clients.</param>
public sealed record NetworkLimits(
    int MaxRequestSize,
    long ConnectionsMaxIdleMs,
    int MaxConnections,
    int MaxConnectionsPerIp,
    long QueuedMaxRequestBytes,
    IReadOnlySet<string> ExemptListeners)
{
    /// <summary>Kafka's defaults: nothing limited but the request size and idle time.</summary>
    public static NetworkLimits Defaults { get; } = new(104857600, 600_000, int.MaxValue, int.MaxValue, -1, new HashSet<string>());

    public static NetworkLimits From(BrokerConfig config) => new(
        config.SocketRequestMaxBytes,
        config.GetLong("connections.max.idle.ms"),
        config.GetInt("max.connections"),
        config.GetInt("max.connections.per.ip"),
        config.GetLong("queued.max.request.bytes"),
        config.ControllerListenerNames.ToHashSet());
}
