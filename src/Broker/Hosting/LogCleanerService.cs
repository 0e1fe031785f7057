using Broker.Config;
using Broker.Log;
using Microsoft.Extensions.Logging;

namespace Broker.Hosting;

/// <summary>
/// Runs the log cleaner for compacted topics (<c>cleanup.policy=compact</c>, <c>__consumer_offsets</c>)
/// on its own thread when <c>log.cleaner.enable</c> is true and <c>log.cleaner.threads</c> is positive.
/// </summary>
public static class LogCleanerService
{
    public static LogCleaner? Start(LogManager logs, BrokerConfig config, ILogger logger)
    {
        if (!config.GetBoolean("log.cleaner.enable") || config.GetInt("log.cleaner.threads") < 1)
            return null;
        var settings = new LogCleanerSettings
        {
            DedupeBufferBytes = (int)Math.Min(config.GetLong("log.cleaner.dedupe.buffer.size"), int.MaxValue),
            BackoffMs = config.GetLong("log.cleaner.backoff.ms"),
            IoMaxBytesPerSecond = config.GetDouble("log.cleaner.io.max.bytes.per.second"),
        };
        var cleaner = new LogCleaner(logs, settings, new LogContext
        {
            BackgroundError = e => logger.LogError("Log cleaner failed: {Error}", e.Message),
        });
        cleaner.Cleaned += (log, result) => logger.LogInformation(
            "Cleaned {Partition} up to offset {EndOffset}: {Before} -> {After} bytes, {Kept}/{Read} records kept in {Elapsed} ms",
            log.TopicPartition, result.EndOffset, result.BytesRead, result.BytesWritten, result.RecordsKept, result.RecordsRead,
            (long)result.Elapsed.TotalMilliseconds);
        cleaner.Start();
        return cleaner;
    }
}
