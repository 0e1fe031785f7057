using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>
/// OffsetDelete: removes committed offsets of topics the group no longer consumes, acknowledged once
/// the tombstones are replicated (<see cref="GroupReplication"/>).
/// </summary>
public sealed class OffsetDeleteHandler(BrokerServices services) : ApiHandler<OffsetDeleteRequest, OffsetDeleteResponse>
{
    public override ApiKey Key => ApiKey.OffsetDelete;

    protected override async ValueTask<OffsetDeleteResponse?> HandleAsync(RequestContext context, OffsetDeleteRequest request, CancellationToken cancel)
    {
        var requested = GroupOffsetPartitions.Flatten(request.Topics, t => t.Name, t => t.Partitions.Select(p => p.PartitionIndex));
        var error = ErrorCode.None;
        var errors = GroupOffsetPartitions.Apply(services.Metadata.Current, requested, p => p, known =>
        {
            // Asked even with nothing left: the group-level errors (unknown group, NON_EMPTY_GROUP) still apply.
            (error, var results) = services.Groups.DeleteOffsets(request.GroupId, known);
            return error == ErrorCode.None ? results : known.Select(_ => error).ToList();
        });
        if (error == ErrorCode.None && errors.Contains(ErrorCode.None)
            && await GroupReplication.WaitAsync(services, request.GroupId, cancel).ConfigureAwait(false) is var replicated and not ErrorCode.None)
            error = Groups.GroupLogErrors.ForGroupWrite(replicated);
        var response = new OffsetDeleteResponse { ErrorCode = (short)error };
        if (error != ErrorCode.None)
            return response;
        var i = 0;
        foreach (var topic in request.Topics)
            response.Topics.Add(new OffsetDeleteResponse.OffsetDeleteResponseTopic
            {
                Name = topic.Name,
                Partitions = topic.Partitions.Select(p => new OffsetDeleteResponse.OffsetDeleteResponsePartition
                {
                    PartitionIndex = p.PartitionIndex, ErrorCode = (short)errors[i++],
                }).ToList(),
            });
        return response;
    }
}
