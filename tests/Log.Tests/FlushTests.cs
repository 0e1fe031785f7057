using Broker.Log.Tests.Support;

namespace Broker.Log.Tests;

public class FlushTests
{
    [Fact]
    public void Flush_messages_flushes_once_that_many_offsets_are_unflushed()
    {
        using var t = new TestLog(new LogConfig { FlushMessages = 3, FileDeleteDelayMs = 0 });
        t.AppendMany(2);
        Assert.Equal(0, t.Log.RecoveryPoint);
        Assert.Equal(2, t.Log.UnflushedMessages);

        t.AppendMany(1);
        Assert.Equal(3, t.Log.RecoveryPoint);
        Assert.Equal(0, t.Log.UnflushedMessages);
    }

    [Fact]
    public void Flush_ms_flushes_when_the_last_flush_is_that_old()
    {
        using var t = new TestLog(new LogConfig { FlushMs = 1_000, FileDeleteDelayMs = 0 });
        t.AppendMany(4);
        t.Clock.Advance(999);
        Assert.False(t.Log.FlushIfDue());
        Assert.Equal(0, t.Log.RecoveryPoint);

        t.Clock.Advance(1);
        Assert.True(t.Log.FlushIfDue());
        Assert.Equal(4, t.Log.RecoveryPoint);
    }

    [Fact]
    public void By_default_only_explicit_flushes_and_rolls_move_the_recovery_point()
    {
        using var t = new TestLog();
        t.AppendMany(5);
        t.Clock.Advance(10_000_000);
        Assert.False(t.Log.FlushIfDue());
        Assert.Equal(0, t.Log.RecoveryPoint);

        t.Log.Flush();
        Assert.Equal(5, t.Log.RecoveryPoint);
    }

    [Fact]
    public void A_flushed_active_segment_index_is_on_disk_for_the_next_open()
    {
        using var t = new TestLog(new LogConfig { IndexIntervalBytes = 1, FileDeleteDelayMs = 0 });
        t.AppendMany(6);
        t.Log.Flush();

        var index = File.ReadAllBytes(t.SegmentPath(0, LogFileNames.IndexSuffix));
        Assert.Equal(5, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(index.AsSpan(4 * 8)));
    }
}
