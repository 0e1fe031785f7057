using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>BrokerRegistration (controller listener): a broker process announces itself and gets its broker epoch.</summary>
public sealed class BrokerRegistrationHandler(BrokerServices services) : ApiHandler<BrokerRegistrationRequest, BrokerRegistrationResponse>
{
    public override ApiKey Key => ApiKey.BrokerRegistration;

    protected override ValueTask<BrokerRegistrationResponse?> HandleAsync(RequestContext context, BrokerRegistrationRequest request, CancellationToken cancel) =>
        ControllerOnly.RunAsync(services,
            () => services.Controller.Brokers.RegisterAsync(request, cancel),
            outcome => new BrokerRegistrationResponse { ErrorCode = (short)outcome.Error, BrokerEpoch = outcome.BrokerEpoch },
            () => new BrokerRegistrationResponse { ErrorCode = (short)ErrorCode.NotController });
}
