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
        if (services.Quorum is { IsLeader: true } raft)
            return (DescribeQuorumResponse)await raft.HandleRequestAsync(request, cancel).ConfigureAwait(false);
        if (services.Config.ControllerListenerNames.Contains(context.ListenerName))
        {
            // kafka-metadata-quorum --bootstrap-controller may reach any voter: pass it once to the leader.
            if (services.ActiveController.Current is not null && services.ForwardingChannel is { } channel)
            {
                try
                {
                    return await channel.SendAsync<DescribeQuorumResponse>(request, cancel, context.ApiVersion).ConfigureAwait(false);
                }
                catch (ControllerUnavailableException)
                {
                    // Answer as a non-leader below: the client asks again.
                }
            }
            return await QuorumRpc.AnswerAsync<DescribeQuorumResponse>(services, request, cancel).ConfigureAwait(false);
        }
        // A controller-only quorum or a moving leader: the active controller's node answers.
        return await Forwarding.RunAsync<DescribeQuorumResponse>(services, context, request,
            async () => (DescribeQuorumResponse)await services.Quorum!.HandleRequestAsync(request, cancel).ConfigureAwait(false),
            e => new DescribeQuorumResponse { ErrorCode = (short)ErrorCode.NotController, ErrorMessage = e.Message },
            r => r.ErrorCode == (short)ErrorCode.NotController
                 || r.Topics.Any(t => t.Partitions.Any(p => p.ErrorCode == (short)ErrorCode.NotLeaderOrFollower)), cancel).ConfigureAwait(false);
    }
}
