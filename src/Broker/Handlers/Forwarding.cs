using Broker.Controller;
using Broker.Hosting;
using Broker.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Broker.Handlers;

/// <summary>
/// Sends a metadata-changing admin request, unchanged and at the client's version, to the active
/// controller when this node is not it (Kafka brokers forward these too), and relays the answer.
/// When the controller cannot be reached the client gets a retriable NOT_CONTROLLER from
/// <paramref name="failed"/>, and retries after refreshing its metadata.
/// </summary>
public static class Forwarding
{
    public static async ValueTask<TResponse?> ForwardAsync<TResponse>(
        BrokerServices services, IApiMessage request, short version, Func<ControllerUnavailableException, TResponse> failed, CancellationToken cancel)
        where TResponse : class, IApiMessage
    {
        var channel = services.ForwardingChannel
            ?? throw new InvalidOperationException("This node forwards to a remote controller but has no forwarding channel.");
        try
        {
            return await channel.SendAsync<TResponse>(request, cancel, version).ConfigureAwait(false);
        }
        catch (ControllerUnavailableException e)
        {
            services.LoggerFactory.CreateLogger(typeof(Forwarding)).LogWarning("Could not forward {Api}: {Error}", request.GetType().Name, e.Message);
            return failed(e);
        }
    }
}
