using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>Vote (controller listener): a candidate asks this voter for its vote in a new epoch.</summary>
public sealed class VoteHandler(BrokerServices services) : ApiHandler<VoteRequest, VoteResponse>
{
    public override ApiKey Key => ApiKey.Vote;

    protected override ValueTask<VoteResponse?> HandleAsync(RequestContext context, VoteRequest request, CancellationToken cancel) =>
        QuorumRpc.AnswerAsync<VoteResponse>(services, request, cancel);
}
