using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>BeginQuorumEpoch (controller listener): a newly elected leader announces its epoch to this voter.</summary>
public sealed class BeginQuorumEpochHandler(BrokerServices services) : ApiHandler<BeginQuorumEpochRequest, BeginQuorumEpochResponse>
{
    public override ApiKey Key => ApiKey.BeginQuorumEpoch;

    protected override ValueTask<BeginQuorumEpochResponse?> HandleAsync(RequestContext context, BeginQuorumEpochRequest request, CancellationToken cancel) =>
        QuorumRpc.AnswerAsync<BeginQuorumEpochResponse>(services, request, cancel);
}
