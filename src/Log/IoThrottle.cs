using System.Diagnostics;

namespace Broker.Log;

/// <summary>
/// <c>log.cleaner.io.max.bytes.per.second</c>: the cleaner sleeps when the bytes it read and wrote
/// run ahead of the rate, so compaction cannot starve produce and fetch of disk bandwidth.
/// </summary>
public sealed class IoThrottle(double bytesPerSecond)
{
    public static IoThrottle Unlimited { get; } = new(double.MaxValue);

    private readonly long _started = Stopwatch.GetTimestamp();
    private double _bytes;

    public void Consume(long bytes)
    {
        if (bytesPerSecond >= double.MaxValue / 2 || bytes <= 0)
            return;
        _bytes += bytes;
        var due = TimeSpan.FromSeconds(_bytes / bytesPerSecond) - Stopwatch.GetElapsedTime(_started);
        if (due > TimeSpan.FromMilliseconds(1))
            Thread.Sleep(due);
    }
}
