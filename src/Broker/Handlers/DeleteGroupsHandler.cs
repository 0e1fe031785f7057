using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>DeleteGroups: each empty group goes with its offsets; others get NON_EMPTY_GROUP or GROUP_ID_NOT_FOUND.</summary>
public sealed class DeleteGroupsHandler(BrokerServices services) : ApiHandler<DeleteGroupsRequest, DeleteGroupsResponse>
{
    public override ApiKey Key => ApiKey.DeleteGroups;

    protected override ValueTask<DeleteGroupsResponse?> HandleAsync(RequestContext context, DeleteGroupsRequest request, CancellationToken cancel)
    {
        var response = new DeleteGroupsResponse();
        foreach (var groupId in request.GroupsNames)
            response.Results.Add(new DeleteGroupsResponse.DeletableGroupResult
            {
                GroupId = groupId, ErrorCode = (short)services.Groups.DeleteGroup(groupId),
            });
        return ValueTask.FromResult<DeleteGroupsResponse?>(response);
    }
}
