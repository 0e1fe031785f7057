using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>
/// DeleteGroups: each empty group goes with its offsets; others get NON_EMPTY_GROUP or GROUP_ID_NOT_FOUND.
/// A deletion is acknowledged once its tombstones are replicated (<see cref="GroupReplication"/>).
/// </summary>
public sealed class DeleteGroupsHandler(BrokerServices services) : ApiHandler<DeleteGroupsRequest, DeleteGroupsResponse>
{
    public override ApiKey Key => ApiKey.DeleteGroups;

    protected override async ValueTask<DeleteGroupsResponse?> HandleAsync(RequestContext context, DeleteGroupsRequest request, CancellationToken cancel)
    {
        var response = new DeleteGroupsResponse();
        foreach (var groupId in request.GroupsNames)
        {
            var error = services.Groups.DeleteGroup(groupId);
            if (error == ErrorCode.None && await GroupReplication.WaitAsync(services, groupId, cancel).ConfigureAwait(false) is var replicated
                && replicated != ErrorCode.None)
                error = Groups.GroupLogErrors.ForGroupWrite(replicated);
            response.Results.Add(new DeleteGroupsResponse.DeletableGroupResult { GroupId = groupId, ErrorCode = (short)error });
        }
        return response;
    }
}
