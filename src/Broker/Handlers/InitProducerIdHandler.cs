using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Records;

namespace Broker.Handlers;

/// <summary>
/// InitProducerId for idempotent producers: a fresh producer id at epoch 0 from this broker's
/// block, as Kafka answers every request without a transactional id (a client that bumps its
/// epoch for KIP-360 does so itself). Transactional ids need the transaction coordinator, which
/// this broker does not run yet: COORDINATOR_NOT_AVAILABLE, as FindCoordinator answers for them.
/// </summary>
public sealed class InitProducerIdHandler(BrokerServices services) : ApiHandler<InitProducerIdRequest, InitProducerIdResponse>
{
    public override ApiKey Key => ApiKey.InitProducerId;

    protected override async ValueTask<InitProducerIdResponse?> HandleAsync(RequestContext context, InitProducerIdRequest request, CancellationToken cancel)
    {
        if (request.TransactionalId is { } transactionalId)
            return Failed(transactionalId.Length == 0 ? ErrorCode.InvalidRequest : ErrorCode.CoordinatorNotAvailable);
        // Both the current producer id and epoch, or neither.
        if ((request.ProducerId == RecordBatchLayout.NoProducerId) != (request.ProducerEpoch == RecordBatchLayout.NoProducerEpoch))
            return Failed(ErrorCode.InvalidRequest);
        var (error, producerId) = await services.ProducerIds.NextAsync(cancel).ConfigureAwait(false);
        // A block the controller could not allocate is the coordinator's problem, which clients retry.
        return error == ErrorCode.None
            ? new InitProducerIdResponse { ProducerId = producerId, ProducerEpoch = 0 }
            : Failed(ErrorCode.CoordinatorNotAvailable);
    }

    private static InitProducerIdResponse Failed(ErrorCode error) =>
        new() { ErrorCode = (short)error, ProducerId = RecordBatchLayout.NoProducerId, ProducerEpoch = RecordBatchLayout.NoProducerEpoch };
}
