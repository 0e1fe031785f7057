using Broker.Protocol.Wire;

namespace Broker.Metadata;

/// <summary>An endpoint a broker registered for one listener.</summary>
public sealed record BrokerEndpoint(string ListenerName, string Host, int Port, short SecurityProtocol);

/// <summary>A registered broker as the metadata log knows it; the incarnation id tells one run of the broker process from the next.</summary>
public sealed record BrokerImage(int Id, long Epoch, IReadOnlyList<BrokerEndpoint> Endpoints, string? Rack, bool Fenced, Uuid IncarnationId = default)
{
    /// <summary>Feature name → the levels this broker can run at, as it registered them.</summary>
    public IReadOnlyDictionary<string, (short Min, short Max)> SupportedFeatures { get; init; } = new Dictionary<string, (short, short)>();

    /// <summary>The broker asked to shut down (heartbeat wantShutDown): it may not lead nor join an ISR until it registers again (KIP-841).</summary>
    public bool InControlledShutdown { get; init; }

    public BrokerEndpoint? Endpoint(string listenerName) =>
        Endpoints.FirstOrDefault(e => string.Equals(e.ListenerName, listenerName, StringComparison.OrdinalIgnoreCase));
}
