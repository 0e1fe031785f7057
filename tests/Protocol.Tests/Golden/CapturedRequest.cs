namespace Broker.Protocol.Tests.Golden;

/// <summary>
/// One request frame exactly as a client sent it, size prefix included, so that it can be saved as
/// a golden file and decoded again later without the client.
/// </summary>
internal sealed record CapturedRequest(
    int Connection, ApiKey ApiKey, short Version, int CorrelationId, string? ClientId, byte[] Frame)
{
    public override string ToString() =>
        $"#{Connection} {ApiKey} v{Version} corr={CorrelationId} client={ClientId} ({Frame.Length} bytes)";
}
