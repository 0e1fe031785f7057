using Broker.Controller;
using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>AlterPartitionReassignments: start or cancel partition moves, run by the active controller (forwarded from brokers).</summary>
public sealed class AlterPartitionReassignmentsHandler(BrokerServices services)
    : ApiHandler<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse>
{
    public override ApiKey Key => ApiKey.AlterPartitionReassignments;

    protected override async ValueTask<AlterPartitionReassignmentsResponse?> HandleAsync(
        RequestContext context, AlterPartitionReassignmentsRequest request, CancellationToken cancel) =>
        await Forwarding.RunAsync(services, context, request,
            () => services.Controller.Reassignments.AlterAsync(request, cancel),
            e => new AlterPartitionReassignmentsResponse { ErrorCode = (short)ErrorCode.NotController, ErrorMessage = e.Message },
            r => r.ErrorCode == (short)ErrorCode.NotController, cancel).ConfigureAwait(false);
}
