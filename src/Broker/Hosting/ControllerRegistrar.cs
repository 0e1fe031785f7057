using Broker.Config;
using Broker.Controller;
using Broker.Handlers;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Broker.Hosting;

/// <summary>
/// A controller node announces its controller endpoints and supported features to the active
/// controller once per process run (ControllerRegistration, KIP-919), retrying until it is heard.
/// </summary>
public static class ControllerRegistrar
{
    public static async Task RegisterAsync(BrokerConfig config, ControllerAddress? self, ControllerChannel channel, ILogger logger, CancellationToken stop)
    {
        var request = new ControllerRegistrationRequest { ControllerId = config.NodeId, IncarnationId = Uuid.Random() };
        foreach (var listener in config.AdvertisedControllerListeners)
            request.Listeners.Add(new ControllerRegistrationRequest.Listener
            {
                Name = listener.ListenerName,
                Host = self?.Host ?? listener.Host,
                Port = (ushort)(listener.Port == 0 && self is not null ? self.Port : listener.Port),
                SecurityProtocol = 0,
            });
        foreach (var feature in new FeatureLevels().Supported)
            request.Features.Add(new ControllerRegistrationRequest.Feature { Name = feature.Name, MinSupportedVersion = feature.Min, MaxSupportedVersion = feature.Max });
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var response = await channel.SendAsync<ControllerRegistrationResponse>(request, stop).ConfigureAwait(false);
                if (response.ErrorCode == 0)
                {
                    logger.LogInformation("Controller {Controller} registered with the active controller", config.NodeId);
                    return;
                }
                logger.LogWarning("Controller registration refused: {Error} {Message}", (ErrorCode)response.ErrorCode, response.ErrorMessage);
            }
            catch (ControllerUnavailableException e)
            {
                logger.LogDebug("Controller registration deferred: {Error}", e.Message);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
