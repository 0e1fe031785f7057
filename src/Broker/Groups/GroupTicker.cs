using Microsoft.Extensions.Logging;

namespace Broker.Groups;

/// <summary>Drives <see cref="GroupCoordinator.Tick"/> on the wall clock: sessions, join deadlines and offset expiry.</summary>
public sealed class GroupTicker : IAsyncDisposable
{
    /// <summary>How late a session or join deadline may be noticed.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public GroupTicker(GroupCoordinator coordinator, ILogger logger)
    {
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(Interval);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
                {
                    try
                    {
                        coordinator.Tick();
                    }
                    catch (Exception e)
                    {
                        logger.LogError(e, "Group coordinator tick failed");
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    private int _disposed;

    /// <summary>Stops ticking; safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
