using Broker.Groups;
using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>
/// SyncGroup: the leader hands in the assignment; every member waits for its share, which it gets
/// once the stored assignment is replicated to the coordinator partition's ISR (<see cref="GroupReplication"/>);
/// a write that could not be replicated sends the member back to rejoin, as in Kafka.
/// </summary>
public sealed class SyncGroupHandler(BrokerServices services) : ApiHandler<SyncGroupRequest, SyncGroupResponse>
{
    public override ApiKey Key => ApiKey.SyncGroup;

    protected override async ValueTask<SyncGroupResponse?> HandleAsync(RequestContext context, SyncGroupRequest request, CancellationToken cancel)
    {
        var assignments = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var assignment in request.Assignments)
            assignments[assignment.MemberId] = assignment.Assignment;
        var version = context.ApiVersion;
        var response = await services.Groups.SyncAsync(
                request.GroupId, request.GenerationId, request.MemberId, version >= 3 ? request.GroupInstanceId : null,
                version >= 5 ? request.ProtocolType : null, version >= 5 ? request.ProtocolName : null, assignments)
            .WaitAsync(cancel).ConfigureAwait(false);
        if (response.ErrorCode == (short)ErrorCode.None
            && await GroupReplication.WaitAsync(services, request.GroupId, cancel).ConfigureAwait(false) is var replicated and not ErrorCode.None)
            return new SyncGroupResponse { ErrorCode = (short)GroupLogErrors.ForGroupWrite(replicated), Assignment = [] };
        return response;
    }
}
