using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>ControllerRegistration (controller listener): a controller publishes its endpoints and features (KIP-919).</summary>
public sealed class ControllerRegistrationHandler(BrokerServices services) : ApiHandler<ControllerRegistrationRequest, ControllerRegistrationResponse>
{
    public override ApiKey Key => ApiKey.ControllerRegistration;

    protected override ValueTask<ControllerRegistrationResponse?> HandleAsync(RequestContext context, ControllerRegistrationRequest request, CancellationToken cancel) =>
        ControllerOnly.RunAsync(services,
            () => services.Controller.RegisterControllerAsync(request, cancel),
            error => new ControllerRegistrationResponse
            {
                ErrorCode = (short)error,
                ErrorMessage = error == ErrorCode.None ? null : $"Controller {request.ControllerId} is not a voter of controller.quorum.voters.",
            },
            () => new ControllerRegistrationResponse { ErrorCode = (short)ErrorCode.NotController, ErrorMessage = null });
}
