using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>AlterPartition (controller listener): a partition leader's ISR change, decided by the active controller.</summary>
public sealed class AlterPartitionHandler(BrokerServices services) : ApiHandler<AlterPartitionRequest, AlterPartitionResponse>
{
    public override ApiKey Key => ApiKey.AlterPartition;

    protected override ValueTask<AlterPartitionResponse?> HandleAsync(RequestContext context, AlterPartitionRequest request, CancellationToken cancel) =>
        ControllerOnly.RunAsync(services,
            () => services.Controller.Isr.AlterPartitionAsync(request, context.ApiVersion, cancel),
            response => response,
            () => new AlterPartitionResponse { ErrorCode = (short)ErrorCode.NotController });
}
