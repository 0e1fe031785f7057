using Broker.Controller;
using Microsoft.Extensions.Logging;

namespace Broker.Hosting;

/// <summary>
/// The active controller's periodic work: fence brokers whose session ran out (checked a few times
/// per heartbeat interval, so a silent broker is fenced soon after its session timeout), give
/// leaderless partitions a leader where one became possible, and every
/// <c>leader.imbalance.check.interval.seconds</c> move leadership back to preferred replicas when
/// <c>auto.leader.rebalance.enable</c>.
/// </summary>
public sealed class ControllerTicker(BrokerMembership brokers, TimeSpan period, ILogger logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    private async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(period);
        var controller = brokers.Controller;
        var rebalance = controller.Config.GetBoolean("auto.leader.rebalance.enable");
        var balanceEvery = TimeSpan.FromSeconds(controller.Config.GetLong("leader.imbalance.check.interval.seconds"));
        var nextBalance = DateTime.UtcNow + balanceEvery;
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                try
                {
                    await brokers.FenceExpiredAsync(stop).ConfigureAwait(false);
                    await controller.Elections.ElectLeaderlessAsync(stop).ConfigureAwait(false);
                    if (rebalance && DateTime.UtcNow >= nextBalance)
                    {
                        nextBalance = DateTime.UtcNow + balanceEvery;
                        await controller.Elections.BalanceLeadersAsync(stop).ConfigureAwait(false);
                    }
                }
                catch (ControllerUnavailableException e)
                {
                    logger.LogDebug("Periodic controller work skipped: {Error}", e.Message);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Periodic controller work failed");
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
