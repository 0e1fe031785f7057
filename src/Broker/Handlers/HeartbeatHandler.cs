using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>Heartbeat: keeps a member's session alive and tells it when the group rebalances.</summary>
public sealed class HeartbeatHandler(BrokerServices services) : ApiHandler<HeartbeatRequest, HeartbeatResponse>
{
    public override ApiKey Key => ApiKey.Heartbeat;

    protected override ValueTask<HeartbeatResponse?> HandleAsync(RequestContext context, HeartbeatRequest request, CancellationToken cancel)
    {
        var error = services.Groups.Heartbeat(request.GroupId, request.GenerationId, request.MemberId,
            context.ApiVersion >= 3 ? request.GroupInstanceId : null);
        return ValueTask.FromResult<HeartbeatResponse?>(new HeartbeatResponse { ErrorCode = (short)error });
    }
}
