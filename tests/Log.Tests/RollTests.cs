using Broker.Log.Tests.Support;
using Broker.Protocol.Records;

namespace Broker.Log.Tests;

public class RollTests
{
    [Fact]
    public void Rolls_when_the_next_append_would_pass_segment_bytes()
    {
        var batch = TestBatches.Create(records: 2);
        using var t = new TestLog(new LogConfig { SegmentBytes = batch.Length * 3, FileDeleteDelayMs = 0 });
        for (var i = 0; i < 7; i++)
            t.Log.Append(TestBatches.Create(records: 2), 0);

        Assert.Equal([0L, 6L, 12L], t.Log.Segments.Select(s => s.BaseOffset));
        Assert.All(t.Log.Segments.SkipLast(1), s => Assert.Equal(batch.Length * 3, s.Size));
        Assert.Equal(14, t.Log.LogEndOffset);
    }

    [Fact]
    public void Segment_files_are_named_by_their_base_offset_in_twenty_digits()
    {
        var batch = TestBatches.Create(records: 5);
        using var t = new TestLog(new LogConfig { SegmentBytes = batch.Length, FileDeleteDelayMs = 0 });
        for (var i = 0; i < 3; i++)
            t.Log.Append(TestBatches.Create(records: 5), 0);

        var names = Directory.EnumerateFiles(t.Directory).Select(p => Path.GetFileName(p)!).Order().ToArray();
        Assert.Equal(new[]
        {
            "00000000000000000000.index", "00000000000000000000.log", "00000000000000000000.timeindex",
            "00000000000000000005.index", "00000000000000000005.log", "00000000000000000005.snapshot", "00000000000000000005.timeindex",
            "00000000000000000010.index", "00000000000000000010.log", "00000000000000000010.snapshot", "00000000000000000010.timeindex",
            "leader-epoch-checkpoint",
        }, names);
        Assert.Equal("09223372036854775807", LogFileNames.OffsetToName(long.MaxValue));
    }

    [Fact]
    public void Rolls_when_batch_timestamps_are_segment_ms_past_the_first_batch()
    {
        using var t = new TestLog(new LogConfig { SegmentMs = 10_000, FileDeleteDelayMs = 0 });
        t.Log.Append(TestBatches.Create(timestamp: 100_000), 0);
        t.Log.Append(TestBatches.Create(timestamp: 110_000), 0);
        Assert.Single(t.Log.Segments);

        t.Log.Append(TestBatches.Create(timestamp: 110_001), 0);
        Assert.Equal([0L, 2L], t.Log.Segments.Select(s => s.BaseOffset));
    }

    [Fact]
    public void Without_timestamps_the_segment_age_comes_from_the_clock()
    {
        using var t = new TestLog(new LogConfig { SegmentMs = 60_000, FileDeleteDelayMs = 0 });
        var noTimestamp = () => TestBatches.CreateWithTimestamps([RecordBatchLayout.NoTimestamp]);
        t.Log.Append(noTimestamp(), 0);
        t.Clock.Advance(60_000);
        t.Log.Append(noTimestamp(), 0);
        Assert.Single(t.Log.Segments);

        t.Clock.Advance(1);
        t.Log.Append(noTimestamp(), 0);
        Assert.Equal(2, t.Log.Segments.Count);
    }

    [Fact]
    public void An_empty_segment_never_rolls_on_time()
    {
        using var t = new TestLog(new LogConfig { SegmentMs = 1, FileDeleteDelayMs = 0 });
        t.Clock.Advance(1_000_000);
        t.Log.Append(TestBatches.Create(), 0);
        Assert.Single(t.Log.Segments);
    }

    [Fact]
    public void Rolls_when_the_offset_index_is_full()
    {
        // Room for two offset index entries (16 bytes) and one time index entry.
        using var t = new TestLog(new LogConfig { SegmentIndexBytes = 16, IndexIntervalBytes = 1, FileDeleteDelayMs = 0 });
        for (var i = 0; i < 8; i++)
            t.Log.Append(TestBatches.Create(timestamp: 1_000 + i), 0);

        Assert.True(t.Log.Segments.Count > 2);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), t.ReadAll().Select(b => b.BaseOffset));
    }

    [Fact]
    public void Rolled_segments_have_trimmed_indexes_and_the_active_one_preallocated_indexes()
    {
        var config = new LogConfig { SegmentBytes = 2000, IndexIntervalBytes = 150, SegmentIndexBytes = 1200, FileDeleteDelayMs = 0 };
        using var t = new TestLog(config);
        t.AppendMany(40, valueSize: 40);

        var rolled = t.Log.Segments[0];
        Assert.True(rolled.IndexEntryCount > 0);
        Assert.Equal(rolled.IndexEntryCount * 8L, new FileInfo(rolled.IndexPath).Length);
        Assert.Equal(rolled.TimeIndexEntryCount * 12L, new FileInfo(rolled.TimeIndexPath).Length);
        var active = t.Log.ActiveSegment;
        Assert.Equal(1200, new FileInfo(active.IndexPath).Length);
        Assert.Equal(1200 / 12 * 12, new FileInfo(active.TimeIndexPath).Length);
    }

    [Fact]
    public void Rolling_flushes_the_old_segment_and_moves_the_recovery_point()
    {
        var batch = TestBatches.Create();
        using var t = new TestLog(new LogConfig { SegmentBytes = batch.Length * 2, FileDeleteDelayMs = 0 });
        t.AppendMany(2);
        Assert.Equal(0, t.Log.RecoveryPoint);

        t.AppendMany(1);
        Assert.Equal(2, t.Log.RecoveryPoint);
    }

    [Fact]
    public void Explicit_roll_starts_a_segment_at_the_log_end_and_is_idempotent_on_an_empty_one()
    {
        using var t = new TestLog();
        t.AppendMany(3);

        var rolled = t.Log.Roll();
        Assert.Equal(3, rolled.BaseOffset);
        Assert.Same(rolled, t.Log.Roll());
        Assert.Equal(2, t.Log.Segments.Count);
    }

    [Fact]
    public void Follower_batches_beyond_32_bit_relative_offsets_start_a_new_segment()
    {
        using var t = new TestLog();
        t.Log.AppendAsFollower(TestBatches.Create(baseOffset: 0));
        var far = (long)int.MaxValue + 10;
        t.Log.AppendAsFollower(TestBatches.Create(baseOffset: far));

        Assert.Equal([0L, far], t.Log.Segments.Select(s => s.BaseOffset));
        Assert.Equal(far, t.Log.Read(1, int.MaxValue).FirstOffset);
    }
}
