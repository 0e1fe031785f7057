using System.Buffers.Binary;
using Broker.Log.Tests.Support;
using Broker.Protocol;
using Broker.Protocol.Records;

namespace Broker.Log.Tests;

public class AppendReadTests
{
    [Fact]
    public void Offsets_are_assigned_in_order_and_patched_into_the_stored_bytes()
    {
        using var t = new TestLog();
        var first = TestBatches.Create(records: 3, baseOffset: 999);
        var second = TestBatches.Create(records: 2, baseOffset: 999);

        var a = t.Log.Append(first, leaderEpoch: 7);
        var b = t.Log.Append(second, leaderEpoch: 7);

        Assert.Equal((0, 2), (a.FirstOffset, a.LastOffset));
        Assert.Equal((3, 4), (b.FirstOffset, b.LastOffset));
        Assert.Equal(5, t.Log.LogEndOffset);
        // Patched in the caller's buffer (what a Produce response is built from) …
        Assert.Equal(3, BinaryPrimitives.ReadInt64BigEndian(second));
        // … and on disk, with the leader epoch, while the CRC still holds.
        var stored = File.ReadAllBytes(t.SegmentPath(0, LogFileNames.LogSuffix));
        Assert.Equal([(0L, 2L, 7, 1002L), (3L, 4L, 7, 1001L)], TestBatches.Headers(stored));
        Assert.Equal(RecordBatchStatus.Valid, RecordBatchValidator.Check(stored, verifyCrc: true, out var size));
        Assert.Equal(RecordBatchStatus.Valid, RecordBatchValidator.Check(stored.AsSpan(size), verifyCrc: true, out _));
    }

    [Fact]
    public void Append_reports_counts_and_the_offset_of_the_max_timestamp()
    {
        using var t = new TestLog();
        t.AppendMany(2);
        var batches = TestBatches.Concat(
            TestBatches.CreateWithTimestamps([5_000, 9_000]),
            TestBatches.CreateWithTimestamps([7_000, 8_000, 6_000]));

        var info = t.Log.Append(batches, 0);

        Assert.Equal(2, info.FirstOffset);
        Assert.Equal(6, info.LastOffset);
        Assert.Equal(9_000, info.MaxTimestamp);
        Assert.Equal(3, info.OffsetOfMaxTimestamp);
        Assert.Equal(2, info.BatchCount);
        Assert.Equal(5, info.RecordCount);
        Assert.Equal(batches.Length, info.Bytes);
    }

    [Fact]
    public void Round_trip_across_many_segments_returns_every_batch_once()
    {
        using var t = new TestLog(new LogConfig { SegmentBytes = 1024, IndexIntervalBytes = 128, FileDeleteDelayMs = 0 });
        for (var i = 0; i < 60; i++)
            t.Log.Append(TestBatches.Create(records: 1 + i % 4, timestamp: 1_000 + i, valueSize: 20 + i), 0);

        Assert.True(t.Log.Segments.Count > 5);
        var batches = t.ReadAll();
        Assert.Equal(60, batches.Count);
        for (var i = 1; i < batches.Count; i++)
            Assert.Equal(batches[i - 1].LastOffset + 1, batches[i].BaseOffset);
        Assert.Equal(t.Log.LogEndOffset, batches[^1].LastOffset + 1);
    }

    [Fact]
    public void Read_from_any_offset_starts_with_the_batch_holding_it()
    {
        using var t = new TestLog(new LogConfig { SegmentBytes = 2048, IndexIntervalBytes = 100, FileDeleteDelayMs = 0 });
        for (var i = 0; i < 40; i++)
            t.Log.Append(TestBatches.Create(records: 3), 0);

        for (long offset = 0; offset < t.Log.LogEndOffset; offset++)
        {
            var read = t.Log.Read(offset, maxBytes: 1);
            var first = TestBatches.Headers(read.Records.ToArray()).Single();
            Assert.InRange(offset, first.BaseOffset, first.LastOffset);
            Assert.Equal(first.BaseOffset, read.FirstOffset);
        }
    }

    [Fact]
    public void Max_bytes_returns_whole_batches_but_at_least_the_first()
    {
        using var t = new TestLog();
        var size = TestBatches.Create(records: 2).Length;
        for (var i = 0; i < 10; i++)
            t.Log.Append(TestBatches.Create(records: 2), 0);

        Assert.Equal(size, t.Log.Read(0, maxBytes: 1).Records.Length);
        Assert.Equal(size, t.Log.Read(0, maxBytes: 2 * size - 1).Records.Length);
        Assert.Equal(3 * size, t.Log.Read(2, maxBytes: 3 * size + 5).Records.Length);
        Assert.True(t.Log.Read(0, maxBytes: 1, minOneBatch: false).Records.IsEmpty);
    }

    [Fact]
    public void Max_offset_bounds_reads_to_batches_wholly_below_it()
    {
        using var t = new TestLog();
        for (var i = 0; i < 5; i++)
            t.Log.Append(TestBatches.Create(records: 2), 0);
        t.Log.UpdateHighWatermark(6);

        var read = t.Log.Read(0, int.MaxValue, maxOffset: t.Log.HighWatermark);
        Assert.Equal([0L, 2L, 4L], TestBatches.Headers(read.Records.ToArray()).Select(b => b.BaseOffset));
        Assert.Equal(6, read.HighWatermark);
        Assert.Equal(10, read.LogEndOffset);
        // Mid-batch bound: a batch reaching past it is held back.
        Assert.Equal([0L, 2L], TestBatches.Headers(t.Log.Read(0, int.MaxValue, maxOffset: 5).Records.ToArray()).Select(b => b.BaseOffset));
        Assert.True(t.Log.Read(6, int.MaxValue, maxOffset: 6).Records.IsEmpty);
    }

    [Fact]
    public void Reading_at_the_log_end_is_empty_and_beyond_it_is_out_of_range()
    {
        using var t = new TestLog();
        t.AppendMany(3);

        var atEnd = t.Log.Read(3, 1000);
        Assert.True(atEnd.Records.IsEmpty);
        Assert.Equal(-1, atEnd.FirstOffset);
        Assert.Throws<OffsetOutOfRangeException>(() => t.Log.Read(4, 1000));
        Assert.Throws<OffsetOutOfRangeException>(() => t.Log.Read(-1, 1000));
    }

    [Fact]
    public void File_regions_copy_the_same_bytes_as_the_file_holds()
    {
        using var t = new TestLog();
        t.AppendMany(4);
        var region = t.Log.Read(1, int.MaxValue).Records;

        var copied = new byte[region.Length];
        region.CopyTo(copied);
        var file = File.ReadAllBytes(t.SegmentPath(0, LogFileNames.LogSuffix));
        Assert.Equal(file.AsSpan((int)region.Position, region.Length).ToArray(), copied);
        Assert.Equal(copied, region.ToArray());
    }

    [Fact]
    public async Task File_regions_copy_asynchronously()
    {
        using var t = new TestLog();
        t.AppendMany(3);
        var region = t.Log.Read(0, int.MaxValue).Records;

        var buffer = new byte[region.Length];
        await region.CopyToAsync(buffer);
        Assert.Equal(region.ToArray(), buffer);
    }

    [Fact]
    public void Follower_appends_keep_offsets_and_epochs_and_reject_going_back()
    {
        using var t = new TestLog();
        var batches = TestBatches.Concat(
            TestBatches.Create(records: 2, baseOffset: 0, leaderEpoch: 3),
            TestBatches.Create(records: 1, baseOffset: 2, leaderEpoch: 5));

        var info = t.Log.AppendAsFollower(batches);

        Assert.Equal((0, 2), (info.FirstOffset, info.LastOffset));
        Assert.Equal([new EpochEntry(3, 0), new EpochEntry(5, 2)], t.Log.LeaderEpochs.Entries);
        Assert.Throws<UnexpectedAppendOffsetException>(() => t.Log.AppendAsFollower(TestBatches.Create(baseOffset: 2)));
        Assert.Equal(3, t.Log.LogEndOffset);
    }

    [Fact]
    public void Follower_append_past_the_end_leaves_a_gap_reads_skip()
    {
        using var t = new TestLog();
        t.Log.AppendAsFollower(TestBatches.Create(records: 2, baseOffset: 0));
        t.Log.AppendAsFollower(TestBatches.Create(records: 2, baseOffset: 10));

        Assert.Equal(12, t.Log.LogEndOffset);
        Assert.Equal(10, t.Log.Read(5, int.MaxValue).FirstOffset);
    }

    [Fact]
    public void Leader_epoch_changes_are_recorded_once_per_epoch()
    {
        using var t = new TestLog();
        t.AppendMany(2, leaderEpoch: 1);
        t.AppendMany(3, leaderEpoch: 2);

        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(2, 2)], t.Log.LeaderEpochs.Entries);
        Assert.Equal((1, 2L), t.Log.EndOffsetForEpoch(1));
        Assert.Equal((2, 5L), t.Log.EndOffsetForEpoch(2));
    }

    [Fact]
    public void Malformed_batches_are_rejected_before_anything_is_written()
    {
        using var t = new TestLog();
        var badMagic = TestBatches.Create();
        badMagic[RecordBatchLayout.Magic] = 1;
        var torn = TestBatches.Create()[..^3];

        Assert.Throws<CorruptRecordException>(() => t.Log.Append(badMagic, 0));
        Assert.Throws<CorruptRecordException>(() => t.Log.Append(torn, 0));
        Assert.Equal(0, t.Log.LogEndOffset);
        Assert.Equal(0, t.Log.Size);
    }

    [Fact]
    public void Batches_larger_than_a_segment_are_refused()
    {
        using var t = new TestLog(new LogConfig { SegmentBytes = 100, FileDeleteDelayMs = 0 });
        Assert.Throws<RecordBatchTooLargeException>(() => t.Log.Append(TestBatches.Create(records: 5, valueSize: 50), 0));
    }

    [Fact]
    public void An_empty_append_changes_nothing()
    {
        using var t = new TestLog();
        var info = t.Log.Append([], 0);
        Assert.Equal(0, info.BatchCount);
        Assert.Equal(0, t.Log.LogEndOffset);
    }

    [Fact]
    public void High_watermark_is_clamped_to_the_log()
    {
        using var t = new TestLog();
        t.AppendMany(3);
        Assert.Equal(0, t.Log.HighWatermark);
        Assert.Equal(3, t.Log.UpdateHighWatermark(10));
        Assert.Equal(0, t.Log.UpdateHighWatermark(-5));
    }

    [Fact]
    public async Task Readers_running_beside_the_writer_see_only_whole_appended_batches()
    {
        using var t = new TestLog(new LogConfig { SegmentBytes = 4096, IndexIntervalBytes = 256, FileDeleteDelayMs = 0 });
        const int appends = 400;
        var writer = Task.Run(() => t.AppendMany(appends, recordsPerBatch: 2));
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            long offset = 0;
            while (offset < 2 * appends)
            {
                var read = t.Log.Read(offset, 1500);
                if (read.Records.IsEmpty)
                {
                    Assert.Equal(offset, read.LogEndOffset);
                    Thread.Yield();
                    continue;
                }
                var batches = TestBatches.Headers(read.Records.ToArray());
                Assert.Equal(offset, batches[0].BaseOffset);
                offset = batches[^1].LastOffset + 1;
            }
        })).ToArray();

        await writer;
        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(60));
    }
}
