using Broker.Log.Tests.Support;
using Broker.Protocol.Records;

namespace Broker.Log.Tests;

public class TimestampTests
{
    [Fact]
    public void Offset_for_timestamp_finds_the_earliest_record_at_or_after_it_across_segments()
    {
        using var t = new TestLog(new LogConfig { SegmentBytes = 600, IndexIntervalBytes = 90, FileDeleteDelayMs = 0 });
        // Batch i holds offsets 2i and 2i+1 stamped 10_000 + 100i and 10_000 + 100i + 50.
        for (var i = 0; i < 30; i++)
            t.Log.Append(TestBatches.CreateWithTimestamps([10_000 + 100 * i, 10_000 + 100 * i + 50]), leaderEpoch: 4);
        Assert.True(t.Log.Segments.Count > 3);

        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(new TimestampAndOffset(10_000 + 100 * i, 2 * i, 4), t.Log.OffsetForTimestamp(10_000 + 100 * i));
            Assert.Equal(2 * i + 1, t.Log.OffsetForTimestamp(10_000 + 100 * i + 1)!.Value.Offset);
            Assert.Equal(2 * i + 1, t.Log.OffsetForTimestamp(10_000 + 100 * i + 50)!.Value.Offset);
        }
        Assert.Equal(0, t.Log.OffsetForTimestamp(0)!.Value.Offset);
        Assert.Null(t.Log.OffsetForTimestamp(10_000 + 100 * 29 + 51));
    }

    [Fact]
    public void Records_inside_a_batch_are_searched_one_by_one()
    {
        using var t = new TestLog();
        t.Log.Append(TestBatches.CreateWithTimestamps([100, 300, 200, 500]), 0);

        Assert.Equal(new TimestampAndOffset(300, 1, 0), t.Log.OffsetForTimestamp(250));
        Assert.Equal(new TimestampAndOffset(500, 3, 0), t.Log.OffsetForTimestamp(301));
    }

    [Fact]
    public void Out_of_order_batches_still_yield_the_first_qualifying_offset()
    {
        using var t = new TestLog(new LogConfig { IndexIntervalBytes = 1, FileDeleteDelayMs = 0 });
        t.Log.Append(TestBatches.CreateWithTimestamps([1_000]), 0);
        t.Log.Append(TestBatches.CreateWithTimestamps([5_000]), 0);
        t.Log.Append(TestBatches.CreateWithTimestamps([3_000]), 0);
        t.Log.Append(TestBatches.CreateWithTimestamps([6_000]), 0);

        Assert.Equal(1, t.Log.OffsetForTimestamp(2_000)!.Value.Offset);
        Assert.Equal(1, t.Log.OffsetForTimestamp(5_000)!.Value.Offset);
        Assert.Equal(3, t.Log.OffsetForTimestamp(5_001)!.Value.Offset);
    }

    [Fact]
    public void Log_append_time_batches_answer_with_their_base_offset()
    {
        using var t = new TestLog();
        t.Log.Append(TestBatches.CreateWithTimestamps([7_000, 7_000, 7_000], attributes: RecordBatchLayout.TimestampTypeFlag), 0);

        Assert.Equal(new TimestampAndOffset(7_000, 0, 0), t.Log.OffsetForTimestamp(6_000));
    }

    [Fact]
    public void Offset_for_timestamp_never_answers_below_the_log_start_offset()
    {
        using var t = new TestLog();
        t.Log.Append(TestBatches.CreateWithTimestamps([100, 200, 300, 400]), 0);
        t.Log.UpdateHighWatermark(4);
        t.Log.DeleteRecordsBefore(2);

        Assert.Equal(new TimestampAndOffset(300, 2, 0), t.Log.OffsetForTimestamp(150));
    }

    [Fact]
    public void Max_timestamp_offset_is_the_record_holding_the_largest_timestamp()
    {
        using var t = new TestLog(new LogConfig { SegmentBytes = 300, FileDeleteDelayMs = 0 });
        t.Log.Append(TestBatches.CreateWithTimestamps([1_000, 1_001]), 2);
        t.Log.Append(TestBatches.CreateWithTimestamps([9_000, 9_999, 9_500]), 2);
        t.Log.Append(TestBatches.CreateWithTimestamps([2_000, 2_001]), 3);
        t.Log.Append(TestBatches.CreateWithTimestamps([3_000]), 3);

        Assert.True(t.Log.Segments.Count > 1);
        Assert.Equal(new TimestampAndOffset(9_999, 3, 2), t.Log.MaxTimestampOffset());
    }

    [Fact]
    public void Earliest_and_latest_carry_the_epochs_that_wrote_them()
    {
        using var t = new TestLog();
        Assert.Null(t.Log.MaxTimestampOffset());
        t.AppendMany(3, leaderEpoch: 5);
        t.AppendMany(2, leaderEpoch: 8);

        Assert.Equal(new TimestampAndOffset(-1, 0, 5), t.Log.EarliestOffset());
        Assert.Equal(new TimestampAndOffset(-1, 5, 8), t.Log.LatestOffset());
    }

    [Fact]
    public void Timestamps_are_found_in_segments_reopened_after_a_clean_shutdown()
    {
        using var t = new TestLog(new LogConfig { SegmentBytes = 500, IndexIntervalBytes = 100, FileDeleteDelayMs = 0 });
        for (var i = 0; i < 20; i++)
            t.Log.Append(TestBatches.CreateWithTimestamps([50_000 + 10 * i]), 0);
        t.Reopen(t.CloseCleanly());

        Assert.Equal(7, t.Log.OffsetForTimestamp(50_065)!.Value.Offset);
        Assert.Equal(19, t.Log.MaxTimestampOffset()!.Value.Offset);
    }
}
