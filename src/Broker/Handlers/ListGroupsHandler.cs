using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>ListGroups: the groups this node coordinates, filtered by state (v4+) and type (v5+).</summary>
public sealed class ListGroupsHandler(BrokerServices services) : ApiHandler<ListGroupsRequest, ListGroupsResponse>
{
    public override ApiKey Key => ApiKey.ListGroups;

    protected override ValueTask<ListGroupsResponse?> HandleAsync(RequestContext context, ListGroupsRequest request, CancellationToken cancel)
    {
        var groups = services.Groups.List(
            context.ApiVersion >= 4 ? request.StatesFilter : [], context.ApiVersion >= 5 ? request.TypesFilter : []);
        return ValueTask.FromResult<ListGroupsResponse?>(new ListGroupsResponse { Groups = groups });
    }
}
