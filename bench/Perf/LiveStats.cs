using System.Diagnostics;

namespace Broker.Perf;

/// <summary>
/// Counters every worker adds to as it goes, read once a second for the progress line. Interval
/// latency (sum, count, max) is reset by each progress read; the exact percentiles come from the
/// workers' histograms at the end.
/// </summary>
public sealed class LiveStats
{
    private long _records;
    private long _bytes;
    private long _errors;
    private long _latencySum;
    private long _latencyCount;
    private long _latencyMax;

    public long Records => Interlocked.Read(ref _records);
    public long Bytes => Interlocked.Read(ref _bytes);
    public long Errors => Interlocked.Read(ref _errors);

    public void Add(long records, long bytes)
    {
        Interlocked.Add(ref _records, records);
        Interlocked.Add(ref _bytes, bytes);
    }

    public void AddErrors(long records) => Interlocked.Add(ref _errors, records);

    public void AddLatency(long micros, long weight)
    {
        Interlocked.Add(ref _latencySum, micros * weight);
        Interlocked.Add(ref _latencyCount, weight);
        var max = Interlocked.Read(ref _latencyMax);
        while (micros > max)
        {
            var seen = Interlocked.CompareExchange(ref _latencyMax, micros, max);
            if (seen == max)
                break;
            max = seen;
        }
    }

    /// <summary>Average and max latency since the previous call, in milliseconds.</summary>
    public (double AvgMs, double MaxMs) TakeIntervalLatency()
    {
        var sum = Interlocked.Exchange(ref _latencySum, 0);
        var count = Interlocked.Exchange(ref _latencyCount, 0);
        var max = Interlocked.Exchange(ref _latencyMax, 0);
        return (count == 0 ? 0 : sum / 1000.0 / count, max / 1000.0);
    }

    public static long MicrosSince(long startTimestamp) =>
        (long)Stopwatch.GetElapsedTime(startTimestamp).TotalMicroseconds;
}

/// <summary>Prints one line a second to stderr while a run lasts, like Kafka's perf tools.</summary>
public sealed class ProgressPrinter : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ProgressPrinter(string what, LiveStats stats, bool enabled, TextWriter output)
    {
        _loop = enabled ? Task.Run(() => LoopAsync(what, stats, output)) : Task.CompletedTask;
    }

    private async Task LoopAsync(string what, LiveStats stats, TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        long lastRecords = 0, lastBytes = 0;
        var last = clock.Elapsed;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var now = clock.Elapsed;
                var seconds = (now - last).TotalSeconds;
                long records = stats.Records, bytes = stats.Bytes;
                var (avg, max) = stats.TakeIntervalLatency();
                output.WriteLine(
                    $"{what}: {records} records total, {(records - lastRecords) / seconds:F1} records/s " +
                    $"({(bytes - lastBytes) / seconds / 1e6:F2} MB/s), {avg:F1} ms avg latency, {max:F1} ms max latency" +
                    (stats.Errors > 0 ? $", {stats.Errors} failed" : ""));
                (lastRecords, lastBytes, last) = (records, bytes, now);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
