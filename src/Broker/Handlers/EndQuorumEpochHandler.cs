using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>EndQuorumEpoch (controller listener): a resigning leader asks this voter to start an election early.</summary>
public sealed class EndQuorumEpochHandler(BrokerServices services) : ApiHandler<EndQuorumEpochRequest, EndQuorumEpochResponse>
{
    public override ApiKey Key => ApiKey.EndQuorumEpoch;

    protected override ValueTask<EndQuorumEpochResponse?> HandleAsync(RequestContext context, EndQuorumEpochRequest request, CancellationToken cancel) =>
        QuorumRpc.AnswerAsync<EndQuorumEpochResponse>(services, request, cancel);
}
