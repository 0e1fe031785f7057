using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>FetchSnapshot (controller listener): a follower too far behind copies the leader's newest metadata snapshot.</summary>
public sealed class FetchSnapshotHandler(BrokerServices services) : ApiHandler<FetchSnapshotRequest, FetchSnapshotResponse>
{
    public override ApiKey Key => ApiKey.FetchSnapshot;

    protected override ValueTask<FetchSnapshotResponse?> HandleAsync(RequestContext context, FetchSnapshotRequest request, CancellationToken cancel) =>
        QuorumRpc.AnswerAsync<FetchSnapshotResponse>(services, request, cancel);
}
