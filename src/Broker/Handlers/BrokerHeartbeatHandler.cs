using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>BrokerHeartbeat (controller listener): keeps a broker's session, and fences, unfences or shuts it down.</summary>
public sealed class BrokerHeartbeatHandler(BrokerServices services) : ApiHandler<BrokerHeartbeatRequest, BrokerHeartbeatResponse>
{
    public override ApiKey Key => ApiKey.BrokerHeartbeat;

    protected override ValueTask<BrokerHeartbeatResponse?> HandleAsync(RequestContext context, BrokerHeartbeatRequest request, CancellationToken cancel) =>
        ControllerOnly.RunAsync(services,
            // The connection is watched: a broker killed outright closes it long before its session ends.
            () => services.Controller.Brokers.HeartbeatAsync(request, cancel, new(context.ConnectionId, context.ConnectionClosed)),
            outcome => new BrokerHeartbeatResponse
            {
                ErrorCode = (short)outcome.Error,
                IsCaughtUp = outcome.IsCaughtUp,
                IsFenced = outcome.IsFenced,
                ShouldShutDown = outcome.ShouldShutDown,
            },
            () => new BrokerHeartbeatResponse { ErrorCode = (short)ErrorCode.NotController });
}
