using Broker.Controller;
using Broker.Hosting;
using Broker.Network;
using Broker.Protocol.Messages;
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
        BrokerServices services, RequestContext context, IApiMessage request, Func<ControllerUnavailableException, TResponse> failed, CancellationToken cancel)
        where TResponse : class, IApiMessage
    {
        // What reaches a controller listener was already forwarded once (or sent by a broker that
        // thinks this node leads): answer NOT_CONTROLLER rather than pass it around.
        if (services.Config.ControllerListenerNames.Contains(context.ListenerName))
            return failed(new ControllerUnavailableException($"Node {services.NodeId} is not the active controller."));
        var version = context.ApiVersion;
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

    /// <summary>
    /// Topic creation a broker starts on its own (auto-creation by Metadata, the internal topics):
    /// run by the local controller when active, else sent to the active one. Failures leave the
    /// topic absent; the client's retry asks again.
    /// </summary>
    public static async Task CreateTopicsAsync(BrokerServices services, CreateTopicsRequest request, CancellationToken cancel)
    {
        try
        {
            if (services.ActiveController.IsLocal)
                await services.Controller.CreateTopicsAsync(request, cancel).ConfigureAwait(false);
            else if (services.ForwardingChannel is { } channel)
                await channel.SendAsync<CreateTopicsResponse>(request, cancel).ConfigureAwait(false);
        }
        catch (ControllerUnavailableException e)
        {
            services.LoggerFactory.CreateLogger(typeof(Forwarding)).LogInformation("Could not create topics {Topics}: {Error}",
                string.Join(",", request.Topics.Select(t => t.Name)), e.Message);
        }
    }
}
