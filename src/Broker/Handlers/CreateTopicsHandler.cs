using Broker.Controller;
using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>CreateTopics: validated and committed by the controller; validateOnly stops before the commit.</summary>
public sealed class CreateTopicsHandler(BrokerServices services) : ApiHandler<CreateTopicsRequest, CreateTopicsResponse>
{
    public override ApiKey Key => ApiKey.CreateTopics;

    protected override async ValueTask<CreateTopicsResponse?> HandleAsync(RequestContext context, CreateTopicsRequest request, CancellationToken cancel)
    {
        Func<ControllerUnavailableException, CreateTopicsResponse> failed = e =>
        {
            var refusal = new CreateTopicsResponse();
            foreach (var topic in request.Topics.DistinctBy(t => t.Name))
                refusal.Topics.Add(new CreateTopicsResponse.CreatableTopicResult
                {
                    Name = topic.Name, ErrorCode = (short)ErrorCode.NotController, ErrorMessage = e.Message, NumPartitions = -1, ReplicationFactor = -1, Configs = null,
                });
            return refusal;
        };
        return await Forwarding.RunAsync(services, context, request, async () =>
        {
            return await services.Controller.CreateTopicsAsync(request, cancel).ConfigureAwait(false);
        }, failed, r => r.Topics.Any(t => t.ErrorCode == (short)ErrorCode.NotController), cancel).ConfigureAwait(false);
    }
}
