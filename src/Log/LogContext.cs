namespace Broker.Log;

/// <summary>
/// The clock and background runner the log uses. Injected so that tests can roll segments by
/// time and run deferred deletions without sleeping.
/// </summary>
public sealed class LogContext
{
    public static LogContext Default { get; } = new();

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Bounds the segment files open at once (<c>log.open.files.max</c>).</summary>
    public SegmentFilePool Files { get; init; } = SegmentFilePool.Shared;

    /// <summary>
    /// Runs work off the caller's path after a delay: deleting files after <c>file.delete.delay.ms</c>,
    /// flushing a segment that was just rolled. The work never throws.
    /// </summary>
    public Action<TimeSpan, Action> Schedule { get; init; } = RunLater;

    /// <summary>Told about failures of scheduled work, which has no caller to throw to.</summary>
    public Action<Exception> BackgroundError { get; init; } = static _ => { };

    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    internal void Run(TimeSpan delay, Action work) => Schedule(delay, () =>
    {
        try
        {
            work();
        }
        catch (Exception e)
        {
            BackgroundError(e);
        }
    });

    private static void RunLater(TimeSpan delay, Action work)
    {
        if (delay <= TimeSpan.Zero)
            ThreadPool.UnsafeQueueUserWorkItem(static w => w(), work, preferLocal: false);
        else
            _ = Task.Delay(delay).ContinueWith(static (_, w) => ((Action)w!)(), work, TaskScheduler.Default);
    }
}
