using Broker.Controller;
using Microsoft.Extensions.Logging;

namespace Broker.Hosting;

/// <summary>
/// The active controller's periodic work: fence brokers whose session ran out. It checks a few
/// times per heartbeat interval, so a silent broker is fenced soon after its session timeout.
/// </summary>
public sealed class ControllerTicker(BrokerMembership brokers, TimeSpan period, ILogger logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    private async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                try
                {
                    await brokers.FenceExpiredAsync(stop).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Checking broker sessions failed");
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
            await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
