using Broker.Log.Tests.Support;

namespace Broker.Log.Tests;

public class LeaderEpochTests
{
    [Fact]
    public void The_checkpoint_is_kafkas_text_format_and_reads_back()
    {
        using var dir = new TempDirectory();
        var cache = LeaderEpochCache.Load(dir.Path);
        cache.Assign(1, 0);
        cache.Assign(1, 5);
        cache.Assign(4, 120);

        Assert.Equal("0\n2\n1 0\n4 120\n", File.ReadAllText(dir.Combine(LogFileNames.LeaderEpochCheckpoint)));
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(4, 120)], LeaderEpochCache.Load(dir.Path).Entries);
    }

    [Fact]
    public void End_offset_for_an_epoch_is_where_the_next_epoch_starts()
    {
        var cache = new LeaderEpochCache(null, [new(2, 10), new(5, 40), new(7, 90)]);

        Assert.Equal((7, 123L), cache.EndOffsetFor(7, logEndOffset: 123));
        Assert.Equal((5, 90L), cache.EndOffsetFor(5, 123));
        // An epoch this replica never saw: the largest below it, ending where the next one starts.
        Assert.Equal((5, 90L), cache.EndOffsetFor(6, 123));
        Assert.Equal((1, 10L), cache.EndOffsetFor(1, 123));
        Assert.Equal((-1, -1L), cache.EndOffsetFor(8, 123));
        Assert.Equal((-1, -1L), cache.EndOffsetFor(-1, 123));
    }

    [Fact]
    public void Assigning_an_epoch_drops_entries_it_contradicts()
    {
        var cache = new LeaderEpochCache(null, [new(2, 10), new(5, 40), new(7, 90)]);
        cache.Assign(6, 50);
        Assert.Equal([new EpochEntry(2, 10), new EpochEntry(5, 40), new EpochEntry(6, 50)], cache.Entries);
        Assert.Equal(6, cache.LatestEpoch);
    }

    [Fact]
    public void Truncation_from_either_end()
    {
        var cache = new LeaderEpochCache(null, [new(2, 10), new(5, 40), new(7, 90)]);

        cache.TruncateFromEnd(90);
        Assert.Equal([new EpochEntry(2, 10), new EpochEntry(5, 40)], cache.Entries);
        cache.TruncateFromStart(50);
        Assert.Equal([new EpochEntry(5, 50)], cache.Entries);
        Assert.Equal(5, cache.EpochForOffset(60));
        Assert.Equal(-1, cache.EpochForOffset(49));
    }

    [Fact]
    public void A_malformed_checkpoint_is_reported_with_its_path()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine(LogFileNames.LeaderEpochCheckpoint), "0\n3\n1 0\n2 5\n");
        var error = Assert.Throws<CorruptLogFileException>(() => LeaderEpochCache.Load(dir.Path));
        Assert.EndsWith(LogFileNames.LeaderEpochCheckpoint, error.Path);
    }
}
