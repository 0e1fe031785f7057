using Broker.Controller;
using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>
/// DescribeQuorum (what <c>kafka-metadata-quorum describe</c> sends): the quorum leader answers
/// with voters, observers and their lag. Another node, or a broker listener, passes it on to the
/// active controller, as Kafka brokers forward it.
/// </summary>
public sealed class DescribeQuorumHandler(BrokerServices services) : ApiHandler<DescribeQuorumRequest, DescribeQuorumResponse>
{
    public override ApiKey Key => ApiKey.DescribeQuorum;

    protected override async ValueTask<DescribeQuorumResponse?> HandleAsync(RequestContext context, DescribeQuorumRequest request, CancellationToken cancel)
    {
        var onControllerListener = services.Config.ControllerListenerNames.Contains(context.ListenerName);
        if (services.Quorum is { } raft && (raft.IsLeader || onControllerListener))
            return await QuorumRpc.AnswerAsync<DescribeQuorumResponse>(services, request, cancel).ConfigureAwait(false);
        // A controller-only quorum or a moving leader: the active controller's node answers.
        return await Forwarding.RunAsync<DescribeQuorumResponse>(services, context, request,
            async () => (DescribeQuorumResponse)await services.Quorum!.HandleRequestAsync(request, cancel).ConfigureAwait(false),
            e => new DescribeQuorumResponse { ErrorCode = (short)ErrorCode.NotController, ErrorMessage = e.Message },
            r => r.ErrorCode == (short)ErrorCode.NotController
                 || r.Topics.Any(t => t.Partitions.Any(p => p.ErrorCode == (short)ErrorCode.NotLeaderOrFollower)), cancel).ConfigureAwait(false);
    }
}
