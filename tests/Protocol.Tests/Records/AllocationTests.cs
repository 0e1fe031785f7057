using Broker.Protocol.Records;

namespace Broker.Protocol.Tests.Records;

/// <summary>The hot paths allocate per batch at most, never per record.</summary>
public class AllocationTests
{
    private static readonly RecordHeaderEntry[] Headers = [new("trace", [1, 2, 3]), new("ü", null)];

    private static long ReadEverything(ReadOnlySpan<byte> batch)
    {
        long sum = 0;
        foreach (var record in new RecordIterator(batch))
        {
            sum += record.Offset + record.Key.Length + record.Value.Length;
            foreach (var header in record.Headers)
                sum += header.Key.Length + header.Value.Length;
        }
        return sum;
    }

    private static void AppendMany(RecordBatchBuilder builder, int count)
    {
        for (int i = 0; i < count; i++)
            builder.Append(1_000 + i, "key"u8, "value"u8, Headers);
    }

    [Fact]
    public void Iterating_records_and_headers_allocates_nothing()
    {
        var small = TestBatches.Build(CompressionType.None, b => AppendMany(b, 1));
        var large = TestBatches.Build(CompressionType.None, b => AppendMany(b, 5_000));
        ReadEverything(small);

        long before = GC.GetAllocatedBytesForCurrentThread();
        ReadEverything(large);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Iterating_a_compressed_batch_allocates_per_batch_not_per_record()
    {
        var small = TestBatches.Build(CompressionType.Lz4, b => AppendMany(b, 10));
        var large = TestBatches.Build(CompressionType.Lz4, b => AppendMany(b, 5_000));
        ReadEverything(small);

        long before = GC.GetAllocatedBytesForCurrentThread();
        ReadEverything(small);
        long perSmallBatch = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        ReadEverything(large);
        long perLargeBatch = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(perLargeBatch < 1_000, $"a 5000-record batch allocated {perLargeBatch} bytes (a 10-record one {perSmallBatch})");
    }

    [Fact]
    public void Appending_records_allocates_nothing_once_the_buffer_is_big_enough()
    {
        using (var warmup = new RecordBatchBuilder(initialCapacity: 1 << 20))
            AppendMany(warmup, 1);
        using var builder = new RecordBatchBuilder(initialCapacity: 1 << 20);

        long before = GC.GetAllocatedBytesForCurrentThread();
        AppendMany(builder, 5_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }
}
