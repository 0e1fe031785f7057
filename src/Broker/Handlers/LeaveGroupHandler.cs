using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>LeaveGroup: one member before v3, a batch (by member or instance id) from v3.</summary>
public sealed class LeaveGroupHandler(BrokerServices services) : ApiHandler<LeaveGroupRequest, LeaveGroupResponse>
{
    public override ApiKey Key => ApiKey.LeaveGroup;

    protected override ValueTask<LeaveGroupResponse?> HandleAsync(RequestContext context, LeaveGroupRequest request, CancellationToken cancel)
    {
        var batched = context.ApiVersion >= 3;
        var leaving = batched
            ? request.Members.Select(m => (m.MemberId, m.GroupInstanceId)).ToList()
            : [(request.MemberId, (string?)null)];
        var (error, results) = services.Groups.Leave(request.GroupId, leaving);
        var response = new LeaveGroupResponse { ErrorCode = (short)error };
        if (!batched)
        {
            if (error == ErrorCode.None && results.Count == 1)
                response.ErrorCode = (short)results[0];
        }
        else if (error == ErrorCode.None)
            for (var i = 0; i < leaving.Count; i++)
                response.Members.Add(new LeaveGroupResponse.MemberResponse
                {
                    MemberId = leaving[i].MemberId, GroupInstanceId = leaving[i].GroupInstanceId, ErrorCode = (short)results[i],
                });
        return ValueTask.FromResult<LeaveGroupResponse?>(response);
    }
}
