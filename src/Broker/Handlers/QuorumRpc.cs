using Broker.Hosting;
using Broker.Protocol.Wire;

namespace Broker.Handlers;

/// <summary>The Raft RPCs of the controller listener are answered by this node's quorum member.</summary>
internal static class QuorumRpc
{
    public static async ValueTask<TResponse?> AnswerAsync<TResponse>(BrokerServices services, IApiMessage request, CancellationToken cancel)
        where TResponse : class, IApiMessage
    {
        var raft = services.Quorum ?? throw new InvalidOperationException("This node runs no metadata quorum member.");
        return (TResponse)await raft.HandleRequestAsync(request, cancel).ConfigureAwait(false);
    }
}
