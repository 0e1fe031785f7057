using Broker.Groups;
using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>
/// JoinGroup: answered when the group's join phase ends (all members rejoined, or the rebalance
/// timeout passed). From v4 a new member first gets MEMBER_ID_REQUIRED with its id (KIP-394); v0 has
/// no rebalance timeout, so the session timeout stands in for it.
/// </summary>
public sealed class JoinGroupHandler(BrokerServices services) : ApiHandler<JoinGroupRequest, JoinGroupResponse>
{
    public override ApiKey Key => ApiKey.JoinGroup;

    protected override async ValueTask<JoinGroupResponse?> HandleAsync(RequestContext context, JoinGroupRequest request, CancellationToken cancel)
    {
        var version = context.ApiVersion;
        var join = new JoinParams(
            request.GroupId, request.MemberId, version >= 5 ? request.GroupInstanceId : null, request.SessionTimeoutMs,
            version >= 1 ? request.RebalanceTimeoutMs : request.SessionTimeoutMs, request.ProtocolType,
            request.Protocols.Select(p => (p.Name, p.Metadata)).ToList(), RequireKnownMemberId: version >= 4,
            context.ClientId, GroupClientHost.Of(context), SupportsSkipAssignment: version >= 9);
        var response = await services.Groups.JoinAsync(join).WaitAsync(cancel).ConfigureAwait(false);
        // Before v7 the protocol name is not nullable on the wire.
        if (version < 7)
            response.ProtocolName ??= "";
        return response;
    }
}
