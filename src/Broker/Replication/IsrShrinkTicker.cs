using Microsoft.Extensions.Logging;

namespace Broker.Replication;

/// <summary>
/// Checks every led partition for lagging followers at half of <c>replica.lag.time.max.ms</c>, as
/// Kafka's isr-expiration task does, so a follower that stopped fetching leaves the ISR between one
/// and one and a half lag times after it last caught up.
/// </summary>
public sealed class IsrShrinkTicker : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public IsrShrinkTicker(ReplicaManager replicas, TimeSpan period, ILogger logger)
    {
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(period);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
                {
                    try
                    {
                        replicas.ShrinkIsrs();
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        logger.LogError(e, "ISR expiration check failed");
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
