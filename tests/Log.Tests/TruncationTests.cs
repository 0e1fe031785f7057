using Broker.Log.Tests.Support;

namespace Broker.Log.Tests;

public class TruncationTests
{
    private static readonly int BatchSize = TestBatches.Create(records: 2).Length;

    /// <summary>Offsets 0–19 in two-record batches, four batches per segment; epoch 1 up to offset 10, then 2.</summary>
    private static TestLog Filled()
    {
        var t = new TestLog(new LogConfig { SegmentBytes = BatchSize * 4, IndexIntervalBytes = 1, FileDeleteDelayMs = 0 });
        for (var i = 0; i < 10; i++)
            t.Log.Append(TestBatches.Create(records: 2, timestamp: 1_000 + i), leaderEpoch: i < 5 ? 1 : 2);
        t.Log.UpdateHighWatermark(20);
        return t;
    }

    [Fact]
    public void Truncate_removes_later_segments_and_moves_every_offset_back()
    {
        using var t = Filled();

        Assert.True(t.Log.TruncateTo(10));

        Assert.Equal([0L, 8L], t.Log.Segments.Select(s => s.BaseOffset));
        Assert.Equal(10, t.Log.LogEndOffset);
        Assert.Equal(10, t.Log.HighWatermark);
        Assert.Equal([new EpochEntry(1, 0)], t.Log.LeaderEpochs.Entries);
        Assert.False(File.Exists(t.SegmentPath(16, LogFileNames.LogSuffix)));
        Assert.Equal(BatchSize, t.Log.ActiveSegment.Size);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => 2L * i), t.ReadAll().Select(b => b.BaseOffset));
    }

    [Fact]
    public void A_batch_is_never_split_so_truncating_inside_one_removes_it()
    {
        using var t = Filled();
        t.Log.TruncateTo(13);
        Assert.Equal(12, t.Log.LogEndOffset);
    }

    [Fact]
    public void Appends_after_truncation_reuse_the_offsets_and_survive_a_restart()
    {
        using var t = Filled();
        t.Log.TruncateTo(10);

        Assert.Equal(10, t.Log.Append(TestBatches.Create(records: 2), 3).FirstOffset);
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(3, 10)], t.Log.LeaderEpochs.Entries);
        t.Reopen(t.CloseCleanly());

        Assert.Equal(12, t.Log.LogEndOffset);
        Assert.Equal(3, t.ReadAll()[^1].LeaderEpoch);
        Assert.Equal(3, t.Log.OffsetForTimestamp(1_002)!.Value.Offset);
    }

    [Fact]
    public void The_truncated_segment_becomes_active_with_a_preallocated_index()
    {
        using var t = Filled();
        t.Log.TruncateTo(9);

        Assert.Equal(8, t.Log.ActiveSegment.BaseOffset);
        Assert.Equal(LogConfig.Default.SegmentIndexBytes, new FileInfo(t.SegmentPath(8, LogFileNames.IndexSuffix)).Length);
    }

    [Fact]
    public void Truncating_at_or_past_the_end_does_nothing()
    {
        using var t = Filled();
        Assert.False(t.Log.TruncateTo(20));
        Assert.False(t.Log.TruncateTo(25));
        Assert.Equal(20, t.Log.LogEndOffset);
    }

    [Fact]
    public void Truncating_below_the_first_segment_starts_the_log_over_there()
    {
        using var t = Filled();
        t.Log.DeleteRecordsBefore(8);
        Assert.Equal(8, t.Log.Segments[0].BaseOffset);

        t.Log.TruncateTo(5);

        Assert.Equal(5, Assert.Single(t.Log.Segments).BaseOffset);
        Assert.Equal((5L, 5L, 5L), (t.Log.LogStartOffset, t.Log.LogEndOffset, t.Log.HighWatermark));
        Assert.Empty(t.Log.LeaderEpochs.Entries);
        Assert.True(File.Exists(t.SegmentPath(5, LogFileNames.LogSuffix)));
        Assert.False(File.Exists(t.SegmentPath(8, LogFileNames.LogSuffix)));
    }

    [Fact]
    public void Truncate_fully_can_restart_at_the_current_base_offset()
    {
        using var t = Filled();
        t.Log.TruncateFullyAndStartAt(0);

        Assert.Equal(0, t.Log.Size);
        Assert.Equal(0, t.Log.Append(TestBatches.Create(), 0).FirstOffset);
        Assert.Single(t.ReadAll());
    }

    [Fact]
    public void Delete_records_moves_the_log_start_inside_a_segment()
    {
        using var t = Filled();

        Assert.Equal(11, t.Log.DeleteRecordsBefore(11));

        Assert.Equal([8L, 16L], t.Log.Segments.Select(s => s.BaseOffset));
        Assert.False(File.Exists(t.SegmentPath(0, LogFileNames.LogSuffix)));
        Assert.Throws<OffsetOutOfRangeException>(() => t.Log.Read(10, 100));
        // The batch holding the start offset comes whole; the client skips what is below it.
        Assert.Equal(10, t.Log.Read(11, 100).FirstOffset);
        Assert.Equal(new TimestampAndOffset(-1, 11, 2), t.Log.EarliestOffset());
        Assert.Equal([new EpochEntry(2, 11)], t.Log.LeaderEpochs.Entries);
    }

    [Fact]
    public void Delete_records_never_moves_backwards_or_past_the_high_watermark()
    {
        using var t = Filled();
        t.Log.DeleteRecordsBefore(6);

        Assert.Equal(6, t.Log.DeleteRecordsBefore(3));
        t.Log.UpdateHighWatermark(12);
        Assert.Throws<OffsetOutOfRangeException>(() => t.Log.DeleteRecordsBefore(13));
        Assert.Equal(12, t.Log.DeleteRecordsBefore(12));
    }

    [Fact]
    public void The_log_start_offset_survives_a_restart_through_the_checkpoint()
    {
        using var t = Filled();
        t.Log.DeleteRecordsBefore(11);
        t.Reopen(t.CloseCleanly());

        Assert.Equal(11, t.Log.LogStartOffset);
        Assert.Throws<OffsetOutOfRangeException>(() => t.Log.Read(10, 100));
    }
}
