using Broker.Log.Tests.Support;

namespace Broker.Log.Tests;

public class AllocationTests
{
    [Fact]
    public void Appending_and_reading_allocate_nothing_per_batch()
    {
        using var t = new TestLog(new LogConfig { IndexIntervalBytes = 4096, FileDeleteDelayMs = 0 });
        var batches = Enumerable.Range(0, 2_000).Select(_ => TestBatches.Create(records: 5, valueSize: 100)).ToArray();
        // Warm up: JIT, the index's first array, the epoch checkpoint.
        for (var i = 0; i < 100; i++)
            t.Log.Append(batches[i], 0);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 100; i < batches.Length; i++)
            t.Log.Append(batches[i], 0);
        for (var offset = 0L; offset < t.Log.LogEndOffset; offset += 50)
            _ = t.Log.Read(offset, 64 * 1024);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // ~1.3 MB of batches make ~300 index entries, whose arrays double a few times (about 7 KB
        // in all, amortised); anything per append or per read would add tens of kilobytes more.
        Assert.True(allocated < 12_000, $"{allocated} bytes allocated");
    }

    [Fact]
    public void Idempotent_appends_and_their_retries_allocate_nothing_per_batch()
    {
        using var t = new TestLog(new LogConfig { IndexIntervalBytes = 4096, FileDeleteDelayMs = 0 });
        var batches = Enumerable.Range(0, 2_000).Select(i => TestBatches.Idempotent(producerId: 9, epoch: 0, baseSequence: i * 5, records: 5)).ToArray();
        for (var i = 0; i < 100; i++)
            t.Log.Append(batches[i], 0);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 100; i < batches.Length; i++)
        {
            t.Log.Append(batches[i], 0);
            // The same batch again, as a producer retries one whose answer was lost.
            if (i % 10 == 0 && !t.Log.Append(batches[i], 0).Duplicate)
                Assert.Fail("a retry was appended again");
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Index arrays only, as for plain batches; anything per batch would be tens of kilobytes.
        Assert.True(allocated < 12_000, $"{allocated} bytes allocated");
    }
}
