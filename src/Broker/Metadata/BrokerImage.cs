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

    /// <summary>The ids of the log directories the broker registered with (KIP-858).</summary>
    public IReadOnlyList<Uuid> LogDirs { get; init; } = [];

    /// <summary>
    /// Registered log directories the broker reported failed: its replicas count as offline, so it
    /// may not lead nor join an ISR until it registers again. A BrokerRegistrationChangeRecord lists
    /// the directories still online; one with only <see cref="LostDirectory"/> means none is.
    /// </summary>
    public IReadOnlyList<Uuid> OfflineLogDirs { get; init; } = [];

    /// <summary>Kafka's DirectoryId.LOST: the placeholder for "no directory available".</summary>
    public static readonly Uuid LostDirectory = new(0, 1);

    /// <summary>The directories still online, as a BrokerRegistrationChangeRecord lists them.</summary>
    public List<Uuid> OnlineLogDirsRecordValue(IEnumerable<Uuid> offline)
    {
        var online = LogDirs.Except(offline).ToList();
        return online.Count > 0 ? online : [LostDirectory];
    }

    public BrokerEndpoint? Endpoint(string listenerName) =>
        Endpoints.FirstOrDefault(e => string.Equals(e.ListenerName, listenerName, StringComparison.OrdinalIgnoreCase));
}
