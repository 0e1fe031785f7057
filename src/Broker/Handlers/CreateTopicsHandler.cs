using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>CreateTopics: validated and committed by the controller; validateOnly stops before the commit.</summary>
public sealed class CreateTopicsHandler(BrokerServices services) : ApiHandler<CreateTopicsRequest, CreateTopicsResponse>
{
    public override ApiKey Key => ApiKey.CreateTopics;

    protected override async ValueTask<CreateTopicsResponse?> HandleAsync(RequestContext context, CreateTopicsRequest request, CancellationToken cancel) =>
        await services.Controller.CreateTopicsAsync(request, cancel).ConfigureAwait(false);
}
