using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Broker.Handlers;

/// <summary>
/// Fetch on the controller listener: quorum followers and observers replicate
/// <c>__cluster_metadata-0</c> from the leader (KIP-595); the leader may hold a fetch until records arrive.
/// </summary>
public sealed class MetadataLogFetchHandler(BrokerServices services) : ApiHandler<FetchRequest, FetchResponse>
{
    public override ApiKey Key => ApiKey.Fetch;

    protected override async ValueTask<FetchResponse?> HandleAsync(RequestContext context, FetchRequest request, CancellationToken cancel)
    {
        var response = await QuorumRpc.AnswerAsync<FetchResponse>(services, request, cancel).ConfigureAwait(false);
        if (response?.ErrorCode == (short)ErrorCode.InconsistentClusterId)
            services.LoggerFactory.CreateLogger<MetadataLogFetchHandler>().LogWarning(
                "Refusing to replicate the metadata log to node {Node}: expected cluster ID {Expected}, but got cluster ID {Got}",
                request.ReplicaState?.ReplicaId ?? request.ReplicaId, services.ClusterId, request.ClusterId);
        return response;
    }
}
