using Broker.Log.Tests.Support;

namespace Broker.Log.Tests;

public class RetentionTests
{
    private static readonly int BatchSize = TestBatches.Create().Length;

    /// <summary>Four segments of three batches; batch i is stamped at <paramref name="start"/> + i seconds.</summary>
    private static TestLog FourSegments(LogConfig config, long start, Action<TimeSpan, Action>? schedule = null)
    {
        var t = new TestLog(config with { SegmentBytes = BatchSize * 3 }, schedule: schedule);
        for (var i = 0; i < 12; i++)
            t.Log.Append(TestBatches.Create(timestamp: start + i * 1_000), 0);
        t.Log.UpdateHighWatermark(t.Log.LogEndOffset);
        return t;
    }

    [Fact]
    public void Segments_whose_newest_timestamp_is_past_retention_ms_are_deleted()
    {
        var now = new TestClock().NowMs;
        using var t = FourSegments(new LogConfig { RetentionMs = 10_000, FileDeleteDelayMs = 0 }, start: now - 20_000);

        // Segment newest timestamps: now-18s, now-15s, now-12s, now-9s.
        Assert.Equal(3, t.Log.DeleteExpiredSegments());

        Assert.Equal([9L], t.Log.Segments.Select(s => s.BaseOffset));
        Assert.Equal(9, t.Log.LogStartOffset);
        Assert.False(File.Exists(t.SegmentPath(0, LogFileNames.LogSuffix)));
        Assert.False(File.Exists(t.SegmentPath(6, LogFileNames.TimeIndexSuffix)));
        Assert.Throws<OffsetOutOfRangeException>(() => t.Log.Read(8, 100));
        Assert.Equal(9, t.Log.Read(9, 100).FirstOffset);
    }

    [Fact]
    public void When_every_segment_expired_the_active_one_is_rolled_first()
    {
        var now = new TestClock().NowMs;
        using var t = FourSegments(new LogConfig { RetentionMs = 1_000, FileDeleteDelayMs = 0 }, start: now - 100_000);

        Assert.Equal(4, t.Log.DeleteExpiredSegments());

        var active = Assert.Single(t.Log.Segments);
        Assert.Equal(12, active.BaseOffset);
        Assert.Equal(0, active.Size);
        Assert.Equal(12, t.Log.LogStartOffset);
        Assert.Equal(12, t.Log.LogEndOffset);
        Assert.Equal(12, t.Log.Append(TestBatches.Create(), 0).FirstOffset);
    }

    [Fact]
    public void Segments_not_yet_below_the_high_watermark_are_kept()
    {
        var now = new TestClock().NowMs;
        using var t = FourSegments(new LogConfig { RetentionMs = 1_000, FileDeleteDelayMs = 0 }, start: now - 100_000);
        t.Log.UpdateHighWatermark(7);

        Assert.Equal(2, t.Log.DeleteExpiredSegments());
        Assert.Equal([6L, 9L], t.Log.Segments.Select(s => s.BaseOffset));
    }

    [Fact]
    public void Time_passing_on_the_clock_expires_segments()
    {
        using var t = FourSegments(new LogConfig { RetentionMs = 60_000, FileDeleteDelayMs = 0 }, start: new TestClock().NowMs);
        Assert.Equal(0, t.Log.DeleteExpiredSegments());

        t.Clock.Advance(60_000 + 5_001);
        Assert.Equal(2, t.Log.DeleteExpiredSegments());
        Assert.Equal(6, t.Log.LogStartOffset);
    }

    [Fact]
    public void Oldest_segments_go_while_the_log_is_over_retention_bytes()
    {
        using var t = FourSegments(new LogConfig { RetentionMs = -1, RetentionBytes = BatchSize * 7, FileDeleteDelayMs = 0 }, start: 0);

        Assert.Equal(1, t.Log.DeleteExpiredSegments());

        Assert.Equal([3L, 6L, 9L], t.Log.Segments.Select(s => s.BaseOffset));
        Assert.Equal(3, t.Log.LogStartOffset);
        Assert.True(t.Log.Size <= BatchSize * 9);
        Assert.Equal(0, t.Log.DeleteExpiredSegments());
    }

    [Fact]
    public void Deleted_segments_stay_readable_as_dot_deleted_files_until_the_delay_passes()
    {
        var deferred = new List<Action>();
        var now = new TestClock().NowMs;
        using var t = FourSegments(new LogConfig { RetentionMs = 1_000, FileDeleteDelayMs = 60_000 }, start: now - 100_000,
            schedule: (delay, work) =>
            {
                if (delay > TimeSpan.Zero)
                    deferred.Add(work);
                else
                    work();
            });
        t.Log.UpdateHighWatermark(3);
        var inFlight = t.Log.Read(0, int.MaxValue).Records;

        Assert.Equal(1, t.Log.DeleteExpiredSegments());

        Assert.False(File.Exists(t.SegmentPath(0, LogFileNames.LogSuffix)));
        Assert.True(File.Exists(t.SegmentPath(0, LogFileNames.LogSuffix + LogFileNames.DeletedSuffix)));
        Assert.True(File.Exists(t.SegmentPath(0, LogFileNames.IndexSuffix + LogFileNames.DeletedSuffix)));
        Assert.Equal(3, TestBatches.Headers(inFlight.ToArray()).Count);

        Assert.Single(deferred)();
        Assert.False(File.Exists(t.SegmentPath(0, LogFileNames.LogSuffix + LogFileNames.DeletedSuffix)));
        Assert.False(File.Exists(t.SegmentPath(0, LogFileNames.TimeIndexSuffix + LogFileNames.DeletedSuffix)));
    }

    [Fact]
    public void Negative_retention_keeps_everything()
    {
        using var t = FourSegments(new LogConfig { RetentionMs = -1, RetentionBytes = -1, FileDeleteDelayMs = 0 }, start: 0);
        Assert.Equal(0, t.Log.DeleteExpiredSegments());
        Assert.Equal(4, t.Log.Segments.Count);
    }
}
