using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>
/// Fetch on the controller listener: quorum followers and observers replicate
/// <c>__cluster_metadata-0</c> from the leader (KIP-595); the leader may hold a fetch until records arrive.
/// </summary>
public sealed class MetadataLogFetchHandler(BrokerServices services) : ApiHandler<FetchRequest, FetchResponse>
{
    public override ApiKey Key => ApiKey.Fetch;

    protected override ValueTask<FetchResponse?> HandleAsync(RequestContext context, FetchRequest request, CancellationToken cancel) =>
        QuorumRpc.AnswerAsync<FetchResponse>(services, request, cancel);
}
