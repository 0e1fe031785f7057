using Broker.Log.Tests.Support;
using Broker.Protocol.Records;

namespace Broker.Log.Tests;

public class CompactionTests
{
    private const int MapBytes = 1024 * 1024;

    /// <summary>A compacted log whose segments roll every <paramref name="batchesPerSegment"/> single-record batches.</summary>
    private static TestLog CompactedLog(int batchesPerSegment = 4, LogConfig? config = null)
    {
        var batchSize = KeyedBatches.One("k0", "v00").Length;
        return new TestLog((config ?? new LogConfig()) with
        {
            Compact = true,
            Delete = false,
            FileDeleteDelayMs = 0,
            SegmentBytes = batchSize * batchesPerSegment,
        });
    }

    private static void AppendAll(TestLog t, IEnumerable<byte[]> batches)
    {
        foreach (var batch in batches)
            t.Log.Append(batch, 0);
        t.Log.UpdateHighWatermark(t.Log.LogEndOffset);
    }

    /// <summary>Appends with a roll after every <paramref name="perSegment"/> batches, then a last roll.</summary>
    private static void AppendSegments(TestLog t, int perSegment, params byte[][] batches)
    {
        for (var i = 0; i < batches.Length; i++)
        {
            t.Log.Append(batches[i], 0);
            if ((i + 1) % perSegment == 0)
                t.Log.Roll();
        }
        t.Log.Roll();
        t.Log.UpdateHighWatermark(t.Log.LogEndOffset);
    }

    private static TestLog LargeSegments() => new(new LogConfig { Compact = true, Delete = false, FileDeleteDelayMs = 0 });

    private static CleanResult? Clean(TestLog t, long firstDirty = -1) =>
        new LogCompactor(MapBytes).Clean(t.Log, firstDirty, t.Clock.NowMs);

    [Fact]
    public void The_latest_value_of_each_key_is_kept_at_its_original_offset()
    {
        using var t = CompactedLog();
        AppendAll(t, Enumerable.Range(0, 30).Select(i => KeyedBatches.One($"k{i % 3}", $"v{i:D2}")));
        t.Log.Roll();
        var sizeBefore = t.Log.Size;

        var result = Clean(t);

        Assert.NotNull(result);
        Assert.Equal(30, result.Value.EndOffset);
        Assert.Equal(30, result.Value.RecordsRead);
        Assert.Equal(3, result.Value.RecordsKept);
        Assert.Equal([(27L, "k0", "v27"), (28L, "k1", "v28"), (29L, "k2", "v29")], KeyedBatches.ReadRecords(t.Log));
        Assert.Equal(30, t.Log.LogEndOffset);
        Assert.Equal(0, t.Log.LogStartOffset);
        Assert.True(t.Log.Size < sizeBefore / 5, $"{t.Log.Size} bytes after, {sizeBefore} before");
        // A consumer at offset 0 skips the gap to the first record kept.
        Assert.Equal(27, t.Log.Read(0, int.MaxValue).FirstOffset);
        Assert.Equal(30, t.Log.Append(KeyedBatches.One("k0", "v30"), 0).FirstOffset);
    }

    [Fact]
    public void The_active_segment_and_offsets_above_the_high_watermark_are_not_cleaned()
    {
        using var t = CompactedLog();
        AppendAll(t, Enumerable.Range(0, 10).Select(i => KeyedBatches.One("k", $"v{i}")));
        t.Log.UpdateHighWatermark(4);

        Clean(t);

        // Only the segment [0, 4) lies below the high watermark; the one below it holds the latest of k there.
        Assert.Equal([3L, 4, 5, 6, 7, 8, 9], KeyedBatches.ReadRecords(t.Log).Select(r => r.Offset));
    }

    [Fact]
    public void Batches_keep_their_base_offset_and_last_offset_when_records_go()
    {
        using var t = LargeSegments();
        AppendSegments(t, 1,
            KeyedBatches.Create([("a", "1"), ("b", "1"), ("a", "2")]),
            KeyedBatches.Create([("b", "2")]));

        Clean(t);

        var batches = KeyedBatches.ReadBatches(t.Log);
        Assert.Equal(2, batches.Count);
        var first = new RecordBatchHeader(batches[0]);
        Assert.Equal((0L, 2L, 1), (first.BaseOffset, first.LastOffset, first.RecordsCount));
        Assert.Equal(RecordBatchHeader.ComputeCrc(batches[0]), first.Crc);
        Assert.Equal([(2L, "a", "2"), (3L, "b", "2")], KeyedBatches.ReadRecords(t.Log));
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    [InlineData(CompressionType.Snappy)]
    public void Compressed_batches_are_filtered_and_recompressed_with_their_codec(CompressionType codec)
    {
        using var t = LargeSegments();
        AppendSegments(t, 1,
            KeyedBatches.Create([("a", "1"), ("b", "1"), ("a", "2"), ("c", "1")], codec),
            KeyedBatches.Create([("c", "2")], codec));

        Clean(t);

        var batches = KeyedBatches.ReadBatches(t.Log);
        Assert.Equal(codec, new RecordBatchHeader(batches[0]).Compression);
        Assert.Equal(2, new RecordBatchHeader(batches[0]).RecordsCount);
        Assert.Equal(RecordBatchStatus.Valid, RecordBatchValidator.Check(batches[0], verifyCrc: true, out _));
        Assert.Equal([(1L, "b", "1"), (2L, "a", "2"), (4L, "c", "2")], KeyedBatches.ReadRecords(t.Log));
    }

    [Fact]
    public void Tombstones_stay_for_delete_retention_ms_after_their_segment_was_cleaned_then_go()
    {
        using var t = CompactedLog(batchesPerSegment: 2, new LogConfig { DeleteRetentionMs = 60_000 });
        AppendAll(t, [KeyedBatches.One("a", "1"), KeyedBatches.One("b", "1"), KeyedBatches.One("a", null), KeyedBatches.One("c", "1")]);
        t.Log.Roll();

        var first = Clean(t);
        Assert.Equal([(1L, "b", "1"), (2L, "a", null), (3L, "c", "1")], KeyedBatches.ReadRecords(t.Log));

        // Still within delete.retention.ms of that cleaning: new dirty data is cleaned, the tombstone stays.
        t.Clock.Advance(59_000);
        AppendAll(t, [KeyedBatches.One("d", "1"), KeyedBatches.One("d", "2")]);
        t.Log.Roll();
        var second = Clean(t, first!.Value.EndOffset);
        Assert.Equal([(1L, "b", "1"), (2L, "a", null), (3L, "c", "1"), (5L, "d", "2")], KeyedBatches.ReadRecords(t.Log));

        t.Clock.Advance(60_001);
        AppendAll(t, [KeyedBatches.One("e", "1"), KeyedBatches.One("e", "2")]);
        t.Log.Roll();
        Clean(t, second!.Value.EndOffset);
        Assert.Equal([(1L, "b", "1"), (3L, "c", "1"), (5L, "d", "2"), (7L, "e", "2")], KeyedBatches.ReadRecords(t.Log));
    }

    [Fact]
    public void An_idempotent_producers_last_batch_survives_empty_so_its_sequence_state_does()
    {
        using var t = LargeSegments();
        AppendSegments(t, 1,
            KeyedBatches.Create([("a", "1")], producerId: 7, epoch: 0, baseSequence: 0),
            KeyedBatches.Create([("a", "2")], producerId: 7, epoch: 0, baseSequence: 1),
            KeyedBatches.One("a", "3"));

        Clean(t);

        var batches = KeyedBatches.ReadBatches(t.Log).Select(Summary).ToList();
        Assert.Equal([(1L, 0, 7L, 1), (2L, 1, -1L, -1)], batches);
        var checkpoint = t.Crash(recoveryPoint: 0);
        foreach (var snapshot in Directory.GetFiles(t.Directory, "*" + LogFileNames.SnapshotSuffix))
            File.Delete(snapshot);
        t.Reopen(checkpoint);
        Assert.Equal(1, t.Log.ProducerState(7)!.Value.Batches[^1].LastSequence);
        // The next sequence is accepted and a retry of the last one is answered as a duplicate.
        Assert.Equal(3, t.Log.Append(KeyedBatches.Create([("a", "4")], producerId: 7, epoch: 0, baseSequence: 2), 0).FirstOffset);
    }

    private static (long BaseOffset, int Records, long ProducerId, int BaseSequence) Summary(byte[] batch)
    {
        var h = new RecordBatchHeader(batch);
        return (h.BaseOffset, h.RecordsCount, h.ProducerId, h.BaseSequence);
    }

    [Fact]
    public void A_segment_younger_than_min_compaction_lag_is_not_cleaned()
    {
        using var t = CompactedLog(batchesPerSegment: 2, new LogConfig { MinCompactionLagMs = 10_000 });
        var now = t.Clock.NowMs;
        AppendAll(t, [
            KeyedBatches.One("a", "1", now - 20_000), KeyedBatches.One("a", "2", now - 20_000),
            KeyedBatches.One("a", "3", now - 1_000), KeyedBatches.One("a", "4", now - 1_000),
        ]);
        t.Log.Roll();

        Assert.Equal(2, t.Log.FirstUncleanableOffset(now));
        Clean(t);
        Assert.Equal([1L, 2, 3], KeyedBatches.ReadRecords(t.Log).Select(r => r.Offset));
    }

    [Fact]
    public void The_dirty_ratio_counts_bytes_since_the_checkpoint()
    {
        using var t = CompactedLog(batchesPerSegment: 2);
        AppendAll(t, Enumerable.Range(0, 8).Select(i => KeyedBatches.One($"k{i}", "v")));
        t.Log.Roll();

        var all = LogCompactor.Measure(t.Log, -1, t.Clock.NowMs);
        var half = LogCompactor.Measure(t.Log, 4, t.Clock.NowMs);

        Assert.Equal(1.0, all.DirtyRatio);
        Assert.Equal(0.5, half.DirtyRatio);
        Assert.Equal(4, half.FirstDirtyOffset);
        Assert.Equal(8, half.FirstUncleanableOffset);
    }

    [Fact]
    public void A_small_offset_map_cleans_the_whole_segments_it_can_hold_and_the_rest_later()
    {
        using var t = LargeSegments();
        // 100 distinct keys a segment; a map of 256 slots holds 230 keys: two segments of three.
        AppendSegments(t, 100, Enumerable.Range(0, 300).Select(i => KeyedBatches.One($"k{i}", "v")).ToArray());

        var result = new LogCompactor(256 * 24).Clean(t.Log, -1, t.Clock.NowMs);

        Assert.Equal(200, result!.Value.EndOffset);
        Assert.Equal(300, KeyedBatches.ReadRecords(t.Log).Count);
        Assert.Throws<LogException>(() => new LogCompactor(16 * 24).Clean(t.Log, 200, t.Clock.NowMs));
    }

    [Fact]
    public void A_crash_before_the_swap_leaves_the_old_segments()
    {
        using var t = CompactedLog();
        AppendAll(t, Enumerable.Range(0, 8).Select(i => KeyedBatches.One("k", $"v{i}")));
        t.Log.Roll();
        var checkpoint = t.CloseCleanly();
        File.WriteAllBytes(t.SegmentPath(0, LogFileNames.LogSuffix + LogFileNames.CleanedSuffix), [1, 2, 3]);

        t.Reopen(checkpoint);

        Assert.Equal(8, KeyedBatches.ReadRecords(t.Log).Count);
        Assert.Empty(Directory.GetFiles(t.Directory, "*" + LogFileNames.CleanedSuffix));
    }

    [Fact]
    public void A_crash_in_the_middle_of_a_swap_is_completed_at_start_up()
    {
        // The same log twice: one copy is cleaned, its cleaned segment planted as the other's swap file.
        using var t = LargeSegments();
        using var cleaned = LargeSegments();
        foreach (var log in new[] { t, cleaned })
            AppendSegments(log, 4, Enumerable.Range(0, 12).Select(i => KeyedBatches.One($"k{i % 2}", $"v{i:D2}")).ToArray());
        Clean(cleaned);
        var expected = KeyedBatches.ReadRecords(cleaned.Log);
        Assert.Single(cleaned.Log.Segments.SkipLast(1));
        var checkpoint = t.CloseCleanly();
        File.Copy(cleaned.SegmentPath(0, LogFileNames.LogSuffix), t.SegmentPath(0, LogFileNames.LogSuffix + LogFileNames.SwapSuffix));
        // The crash came after the first old segment was renamed for deletion.
        File.Move(t.SegmentPath(0, LogFileNames.LogSuffix), t.SegmentPath(0, LogFileNames.LogSuffix + LogFileNames.DeletedSuffix));

        t.Reopen(checkpoint);

        Assert.Equal(expected, KeyedBatches.ReadRecords(t.Log));
        Assert.Equal([0L, 12], t.Log.Segments.Select(s => s.BaseOffset));
        Assert.Empty(Directory.GetFiles(t.Directory, "*" + LogFileNames.SwapSuffix));
        Assert.Equal(12, t.Log.LogEndOffset);
    }

    [Fact]
    public void Reads_that_hold_an_old_segment_finish_after_the_swap()
    {
        var deferred = new List<Action>();
        using var t = new TestLog(new LogConfig { Compact = true, SegmentBytes = KeyedBatches.One("k", "v0").Length * 4, FileDeleteDelayMs = 1 },
            schedule: (delay, work) => { if (delay > TimeSpan.Zero) deferred.Add(work); else work(); });
        AppendAll(t, Enumerable.Range(0, 8).Select(i => KeyedBatches.One("k", $"v{i}")));
        t.Log.Roll();
        var before = t.Log.Read(0, int.MaxValue);

        Clean(t);

        // The region read before the swap still yields the old bytes.
        Assert.Equal(0, new RecordBatchHeader(before.Records.ToArray()).BaseOffset);
        deferred.ForEach(work => work());
        Assert.Equal([7L], KeyedBatches.ReadRecords(t.Log).Select(r => r.Offset));
    }

    [Fact]
    public void A_compact_only_log_is_not_trimmed_by_retention()
    {
        using var t = CompactedLog(config: new LogConfig { RetentionMs = 1 });
        AppendAll(t, Enumerable.Range(0, 8).Select(i => KeyedBatches.One($"k{i}", "v", timestamp: 1)));

        Assert.Equal(0, t.Log.DeleteExpiredSegments());
        Assert.Equal(0, t.Log.LogStartOffset);
    }
}
