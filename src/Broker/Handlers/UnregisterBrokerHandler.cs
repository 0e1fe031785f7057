using Broker.Controller;
using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>UnregisterBroker: removes a (decommissioned) broker's registration; its partitions lose it as leader and ISR member.</summary>
public sealed class UnregisterBrokerHandler(BrokerServices services) : ApiHandler<UnregisterBrokerRequest, UnregisterBrokerResponse>
{
    public override ApiKey Key => ApiKey.UnregisterBroker;

    protected override async ValueTask<UnregisterBrokerResponse?> HandleAsync(RequestContext context, UnregisterBrokerRequest request, CancellationToken cancel)
    {
        Func<ControllerUnavailableException, UnregisterBrokerResponse> failed = e => new UnregisterBrokerResponse { ErrorCode = (short)ErrorCode.NotController, ErrorMessage = e.Message };
        return await Forwarding.RunAsync(services, context, request, async () =>
        {
            var (error, message) = await services.Controller.Brokers.UnregisterAsync(request.BrokerId, cancel).ConfigureAwait(false);
            return new UnregisterBrokerResponse { ErrorCode = (short)error, ErrorMessage = message };
        }, failed, r => r.ErrorCode == (short)ErrorCode.NotController, cancel).ConfigureAwait(false);
    }
}
