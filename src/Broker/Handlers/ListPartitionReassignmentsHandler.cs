using Broker.Controller;
using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>ListPartitionReassignments: the moves in progress, as the active controller knows them (forwarded from brokers).</summary>
public sealed class ListPartitionReassignmentsHandler(BrokerServices services)
    : ApiHandler<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse>
{
    public override ApiKey Key => ApiKey.ListPartitionReassignments;

    protected override async ValueTask<ListPartitionReassignmentsResponse?> HandleAsync(
        RequestContext context, ListPartitionReassignmentsRequest request, CancellationToken cancel) =>
        await Forwarding.RunAsync(services, context, request,
            () => Task.FromResult(services.Controller.Reassignments.List(services.Controller.Image, request)),
            e => new ListPartitionReassignmentsResponse { ErrorCode = (short)ErrorCode.NotController, ErrorMessage = e.Message },
            r => r.ErrorCode == (short)ErrorCode.NotController, cancel).ConfigureAwait(false);
}
