using Broker.Controller;
using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>BrokerRegistration (controller listener): a broker process announces itself and gets its broker epoch.</summary>
public sealed class BrokerRegistrationHandler(BrokerServices services) : ApiHandler<BrokerRegistrationRequest, BrokerRegistrationResponse>
{
    public override ApiKey Key => ApiKey.BrokerRegistration;

    protected override async ValueTask<BrokerRegistrationResponse?> HandleAsync(RequestContext context, BrokerRegistrationRequest request, CancellationToken cancel)
    {
        if (!services.ActiveController.IsLocal)
            return new BrokerRegistrationResponse { ErrorCode = (short)ErrorCode.NotController };
        (ErrorCode Error, string? Message, long Epoch) outcome;
        try
        {
            outcome = await services.Controller.Brokers.RegisterAsync(request, cancel).ConfigureAwait(false);
        }
        catch (ControllerUnavailableException)
        {
            return new BrokerRegistrationResponse { ErrorCode = (short)ErrorCode.NotController };
        }
        var (error, _, epoch) = outcome;
        return new BrokerRegistrationResponse { ErrorCode = (short)error, BrokerEpoch = epoch };
    }
}
