using Broker.Controller;
using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>ElectLeaders: preferred or unclean leader elections, run by the active controller (forwarded from brokers).</summary>
public sealed class ElectLeadersHandler(BrokerServices services) : ApiHandler<ElectLeadersRequest, ElectLeadersResponse>
{
    public override ApiKey Key => ApiKey.ElectLeaders;

    protected override async ValueTask<ElectLeadersResponse?> HandleAsync(RequestContext context, ElectLeadersRequest request, CancellationToken cancel)
    {
        Func<ControllerUnavailableException, ElectLeadersResponse> failed = e =>
        {
            // v0 has no top-level error: each partition asked for carries it.
            var refusal = new ElectLeadersResponse { ErrorCode = (short)ErrorCode.NotController };
            foreach (var topic in request.TopicPartitions ?? [])
                refusal.ReplicaElectionResults.Add(new ElectLeadersResponse.ReplicaElectionResult
                {
                    Topic = topic.Topic,
                    PartitionResult = topic.Partitions.Select(p => new ElectLeadersResponse.PartitionResult
                    {
                        PartitionId = p, ErrorCode = (short)ErrorCode.NotController, ErrorMessage = e.Message,
                    }).ToList(),
                });
            return refusal;
        };
        return await Forwarding.RunAsync(services, context, request,
            () => services.Controller.Elections.ElectLeadersAsync(request, context.ApiVersion, cancel),
            failed, r => r.ErrorCode == (short)ErrorCode.NotController, cancel).ConfigureAwait(false);
    }
}
