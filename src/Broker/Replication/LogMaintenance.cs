using Broker.Config;
using Broker.Log;
using Microsoft.Extensions.Logging;

namespace Broker.Replication;

/// <summary>
/// The log manager's periodic chores on Kafka's intervals: retention every
/// <c>log.retention.check.interval.ms</c>, time-based flushes every
/// <c>log.flush.scheduler.interval.ms</c>, idle producer ids every
/// <c>producer.id.expiration.check.interval.ms</c>, and recovery-point checkpoints every minute.
/// </summary>
public sealed class LogMaintenance : IDisposable
{
    private const int CheckpointIntervalMs = 60_000;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LogMaintenance(LogManager logs, BrokerConfig config, ILogger logger)
    {
        var retention = TimeSpan.FromMilliseconds(Math.Max(1, config.LogRetentionCheckIntervalMs));
        var flush = TimeSpan.FromMilliseconds(Math.Clamp(config.LogFlushSchedulerIntervalMs, 1, int.MaxValue));
        _loop = Task.WhenAll(
            Every(retention, () =>
            {
                var deleted = logs.CleanupLogs();
                if (deleted > 0)
                    logger.LogInformation("Retention deleted {Segments} segment(s)", deleted);
            }, logger),
            Every(flush, logs.FlushDirtyLogs, logger),
            Every(TimeSpan.FromMilliseconds(config.ProducerIdExpirationCheckIntervalMs), () =>
            {
                var expired = logs.RemoveExpiredProducers(config.ProducerIdExpirationMs);
                if (expired > 0)
                    logger.LogInformation("Expired the state of {Producers} idle producer id(s)", expired);
            }, logger),
            Every(TimeSpan.FromMilliseconds(CheckpointIntervalMs), logs.Checkpoint, logger));
    }

    private async Task Every(TimeSpan interval, Action chore, ILogger logger)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    chore();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    logger.LogError("Log maintenance failed: {Error}", e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async Task StopAsync()
    {
        _stop.Cancel();
        await _loop.ConfigureAwait(false);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
