using Broker.Controller;
using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Broker.Handlers;

/// <summary>
/// Where a metadata-changing admin request runs: on the local controller when this node is the
/// active one, else sent unchanged, at the client's version, to the active controller (Kafka
/// brokers forward these too) and its answer relayed. Like Kafka's forwarding manager, a broker
/// keeps trying while the controller moves (an election, a new leader still activating) rather
/// than hand the client NOT_CONTROLLER, which some clients only act on at their next periodic
/// metadata refresh; only after <see cref="RetryFor"/> does the client get <c>failed</c>.
/// </summary>
public static class Forwarding
{
    /// <summary>How long a request waits for a usable active controller (Kafka's controller request timeout).</summary>
    public static readonly TimeSpan RetryFor = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Backoff = TimeSpan.FromMilliseconds(20);

    /// <param name="local">Runs the request on this node's controller.</param>
    /// <param name="failed">The answer when no controller could take the request (NOT_CONTROLLER).</param>
    /// <param name="refused">True when a forwarded answer says the target is not the active controller (any more).</param>
    public static async ValueTask<TResponse?> RunAsync<TResponse>(
        BrokerServices services, RequestContext context, IApiMessage request, Func<Task<TResponse>> local,
        Func<ControllerUnavailableException, TResponse> failed, Func<TResponse, bool> refused, CancellationToken cancel)
        where TResponse : class, IApiMessage
    {
        var onControllerListener = services.Config.ControllerListenerNames.Contains(context.ListenerName);
        var deadline = DateTime.UtcNow + RetryFor;
        while (true)
        {
            ControllerUnavailableException problem;
            if (services.ActiveController.IsLocal)
            {
                try
                {
                    return await local().ConfigureAwait(false);
                }
                catch (ControllerUnavailableException e)
                {
                    problem = e;
                }
            }
            else if (onControllerListener)
                // What reaches a controller listener was already forwarded once (or sent by a broker that
                // thinks this node leads): answer NOT_CONTROLLER and let the sender look again.
                return failed(new ControllerUnavailableException($"Node {services.NodeId} is not the active controller."));
            else
            {
                var channel = services.ForwardingChannel
                    ?? throw new InvalidOperationException("This node forwards to a remote controller but has no forwarding channel.");
                try
                {
                    var response = await channel.SendAsync<TResponse>(request, cancel, context.ApiVersion).ConfigureAwait(false);
                    if (!refused(response))
                        return response;
                    problem = new ControllerUnavailableException("The controller forwarded to is not the active controller any more.");
                }
                catch (ControllerUnavailableException e)
                {
                    problem = e;
                }
            }
            if (DateTime.UtcNow >= deadline)
            {
                services.LoggerFactory.CreateLogger(typeof(Forwarding)).LogWarning("Could not run {Api} on an active controller: {Error}", request.GetType().Name, problem.Message);
                return failed(problem);
            }
            await Task.Delay(Backoff, cancel).ConfigureAwait(false);
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
