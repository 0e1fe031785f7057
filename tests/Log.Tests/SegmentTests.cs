using Broker.Log.Tests.Support;

namespace Broker.Log.Tests;

public class SegmentTests
{
    private static readonly LogConfig Config = new() { IndexIntervalBytes = 200, FileDeleteDelayMs = 0 };

    private static LogSegment Filled(TempDirectory dir, long baseOffset, int batches, out List<(long Base, long Last, int Position)> layout)
    {
        var segment = LogSegment.Create(dir.Path, baseOffset, Config, 0);
        layout = [];
        var next = baseOffset;
        for (var i = 0; i < batches; i++)
        {
            var batch = TestBatches.Create(records: 1 + i % 3, timestamp: 10_000 + 10 * i, valueSize: 30, baseOffset: next);
            var headers = TestBatches.Headers(batch).Single();
            layout.Add((headers.BaseOffset, headers.LastOffset, segment.Size));
            segment.Append(batch);
            next = headers.LastOffset + 1;
        }
        return segment;
    }

    [Fact]
    public void Every_offset_is_found_through_the_sparse_index()
    {
        using var dir = new TempDirectory();
        using var segment = Filled(dir, 100, 50, out var layout);

        Assert.True(segment.IndexEntryCount > 5);
        foreach (var (first, last, position) in layout)
            for (var offset = first; offset <= last; offset++)
                Assert.Equal((position, first), (segment.FindBatch(offset)!.Value.Position, segment.FindBatch(offset)!.Value.BaseOffset));
        Assert.Null(segment.FindBatch(layout[^1].Last + 1));
        Assert.Equal(100, segment.FindBatch(0)!.Value.BaseOffset);
        Assert.Equal(layout[^1].Last + 1, segment.NextOffset);
    }

    [Fact]
    public void Index_entries_are_one_per_interval_and_name_a_batch_last_offset_at_its_position()
    {
        using var dir = new TempDirectory();
        var segment = Filled(dir, 0, 30, out var layout);
        segment.Close();

        var index = File.ReadAllBytes(LogFileNames.SegmentFile(dir.Path, 0, LogFileNames.IndexSuffix));
        Assert.True(index.Length >= 8 && index.Length % 8 == 0);
        var sizes = layout.Zip(layout.Skip(1).Select(l => l.Position).Append(-1), (l, next) => (l, next)).ToList();
        var previousPosition = 0;
        for (var i = 0; i < index.Length; i += 8)
        {
            var relative = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(index.AsSpan(i));
            var position = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(index.AsSpan(i + 4));
            var batch = layout.Single(l => l.Position == position);
            Assert.Equal(batch.Last, relative);
            // More than index.interval.bytes separate consecutive entries.
            Assert.True(position - previousPosition > Config.IndexIntervalBytes);
            previousPosition = position;
        }
    }

    [Fact]
    public void Time_index_entries_grow_with_the_maximum_timestamp()
    {
        using var dir = new TempDirectory();
        var segment = Filled(dir, 0, 30, out _);
        segment.Close();

        var timeIndex = File.ReadAllBytes(LogFileNames.SegmentFile(dir.Path, 0, LogFileNames.TimeIndexSuffix));
        Assert.True(timeIndex.Length >= 24 && timeIndex.Length % 12 == 0);
        var entries = Enumerable.Range(0, timeIndex.Length / 12)
            .Select(i => (Timestamp: System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(timeIndex.AsSpan(i * 12)),
                Relative: System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(timeIndex.AsSpan(i * 12 + 8))))
            .ToList();
        Assert.True(entries.Zip(entries.Skip(1)).All(p => p.Second.Timestamp > p.First.Timestamp));
        // The last entry, written on close, is the segment's maximum.
        Assert.Equal(10_000 + 10 * 29 + 29 % 3, entries[^1].Timestamp);
    }

    [Fact]
    public void Reads_stop_before_the_batch_holding_max_offset()
    {
        using var dir = new TempDirectory();
        using var segment = Filled(dir, 0, 20, out var layout);

        var slice = segment.Read(layout[2].Base, int.MaxValue, maxOffset: layout[10].Base, minOneBatch: true)!.Value;
        Assert.Equal(layout[2].Position, slice.Region.Position);
        Assert.Equal(layout[10].Position - layout[2].Position, slice.Region.Length);
        Assert.Equal(layout[2].Base, slice.FirstOffset);
    }

    [Fact]
    public void Reads_end_on_a_batch_boundary_within_max_bytes()
    {
        using var dir = new TempDirectory();
        using var segment = Filled(dir, 0, 40, out var layout);

        for (var maxBytes = 1; maxBytes < segment.Size; maxBytes += 37)
        {
            var slice = segment.Read(0, maxBytes, long.MaxValue, minOneBatch: true)!.Value;
            var end = (int)slice.Region.Position + slice.Region.Length;
            var expected = layout.Select(l => l.Position).Append(segment.Size).Where(p => p > 0 && p <= Math.Max(maxBytes, layout[1].Position)).Max();
            Assert.Equal(expected, end);
        }
    }

    [Fact]
    public void Truncation_cuts_at_the_batch_holding_the_offset_and_drops_its_index_entries()
    {
        using var dir = new TempDirectory();
        using var segment = Filled(dir, 0, 40, out var layout);
        var entriesBefore = segment.IndexEntryCount;
        var cut = layout[25];

        var removed = segment.TruncateTo(cut.Base + (cut.Last > cut.Base ? 1 : 0), 0);

        Assert.Equal(cut.Position, segment.Size);
        Assert.True(removed > 0);
        Assert.True(segment.IndexEntryCount < entriesBefore);
        Assert.Equal(cut.Base, segment.NextOffset);
        Assert.Null(segment.FindBatch(cut.Base));
        Assert.Equal(layout[24].Base, segment.FindBatch(layout[24].Last)!.Value.BaseOffset);
        Assert.Equal(10_000 + 10 * 24 + 24 % 3, segment.MaxTimestampSoFar);
    }

    [Fact]
    public void Truncating_past_the_end_removes_nothing()
    {
        using var dir = new TempDirectory();
        using var segment = Filled(dir, 0, 5, out var layout);
        Assert.Equal(0, segment.TruncateTo(layout[^1].Last + 1, 0));
    }

    [Fact]
    public void A_reopened_segment_loads_its_indexes_lazily_and_finds_the_same_batches()
    {
        using var dir = new TempDirectory();
        Filled(dir, 7, 30, out var layout).Close();

        using var reopened = LogSegment.Open(dir.Path, 7, Config, 0);
        Assert.Equal(layout[^1].Last + 1, reopened.NextOffset);
        foreach (var batch in layout)
            Assert.Equal(batch.Position, reopened.FindBatch(batch.Last)!.Value.Position);
        Assert.Equal(10_000 + 10 * 29 + 29 % 3, reopened.MaxTimestampSoFar);
    }

    [Fact]
    public void A_segment_too_small_for_an_index_entry_reopens_with_an_empty_index()
    {
        using var dir = new TempDirectory();
        var config = new LogConfig { FileDeleteDelayMs = 0 };
        var segment = LogSegment.Create(dir.Path, 5, config, 0);
        segment.Append(TestBatches.Create(records: 3, baseOffset: 5));
        segment.Close();
        Assert.Equal(0, new FileInfo(LogFileNames.SegmentFile(dir.Path, 5, LogFileNames.IndexSuffix)).Length);

        using var reopened = LogSegment.Open(dir.Path, 5, config, 0);
        Assert.True(reopened.IndexesLookSane());
        Assert.Equal(0, reopened.IndexEntryCount);
        Assert.Equal(1, reopened.TimeIndexEntryCount);
        Assert.Equal(8, reopened.NextOffset);
    }

    [Fact]
    public void A_corrupt_index_of_an_inactive_segment_is_rebuilt_from_the_log_on_first_use()
    {
        using var dir = new TempDirectory();
        Filled(dir, 0, 30, out var layout).Close();
        var indexPath = LogFileNames.SegmentFile(dir.Path, 0, LogFileNames.IndexSuffix);
        var goodIndex = File.ReadAllBytes(indexPath);
        File.WriteAllBytes(indexPath, [.. goodIndex, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1]);

        using var reopened = LogSegment.Open(dir.Path, 0, Config, 0);
        Assert.Equal(layout[20].Position, reopened.FindBatch(layout[20].Base)!.Value.Position);
        Assert.Equal(goodIndex, File.ReadAllBytes(indexPath));
    }
}
