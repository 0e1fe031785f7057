using Broker.Controller;
using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>
/// AllocateProducerIds (broker to controller): the next block of producer ids for the broker,
/// committed to the metadata log first. Served on the controller listener only, as in Kafka.
/// </summary>
public sealed class AllocateProducerIdsHandler(BrokerServices services) : ApiHandler<AllocateProducerIdsRequest, AllocateProducerIdsResponse>
{
    public override ApiKey Key => ApiKey.AllocateProducerIds;

    protected override ValueTask<AllocateProducerIdsResponse?> HandleAsync(RequestContext context, AllocateProducerIdsRequest request, CancellationToken cancel) =>
        ControllerOnly.RunAsync(services,
            () => services.Controller.AllocateProducerIdsAsync(request.BrokerId, request.BrokerEpoch, cancel),
            result => new AllocateProducerIdsResponse
            {
                ErrorCode = (short)result.Error,
                ProducerIdStart = result.Error == ErrorCode.None ? result.Block.Start : -1,
                ProducerIdLen = result.Error == ErrorCode.None ? result.Block.Length : 0,
            },
            () => new AllocateProducerIdsResponse { ErrorCode = (short)ErrorCode.NotController });
}
