using Broker.Protocol.Wire;

namespace Broker.Raft.Client;

/// <summary>
/// Outbound Raft RPCs to other quorum members (the broker implements it over its controller
/// listener). The task completes with the peer's response, or faults/cancels when the peer cannot
/// be reached; the Raft timers retry, so failures need no handling beyond that.
/// </summary>
public interface IRaftTransport
{
    Task<IApiMessage> SendAsync(int destinationId, IApiMessage request, CancellationToken cancel);
}
