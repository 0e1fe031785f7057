using Broker.Controller;
using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>UpdateFeatures: finalized feature levels (metadata.version) change through the controller.</summary>
public sealed class UpdateFeaturesHandler(BrokerServices services) : ApiHandler<UpdateFeaturesRequest, UpdateFeaturesResponse>
{
    public override ApiKey Key => ApiKey.UpdateFeatures;

    protected override async ValueTask<UpdateFeaturesResponse?> HandleAsync(RequestContext context, UpdateFeaturesRequest request, CancellationToken cancel)
    {
        Func<ControllerUnavailableException, UpdateFeaturesResponse> failed = e => new UpdateFeaturesResponse { ErrorCode = (short)ErrorCode.NotController, ErrorMessage = e.Message };
        return await Forwarding.RunAsync(services, context, request, async () =>
        {
            return await services.Controller.UpdateFeaturesAsync(request, context.ApiVersion, services.Features, cancel).ConfigureAwait(false);
        }, failed, r => r.ErrorCode == (short)ErrorCode.NotController, cancel).ConfigureAwait(false);
    }
}
