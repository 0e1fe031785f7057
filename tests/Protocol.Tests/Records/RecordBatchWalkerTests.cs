using System.Buffers.Binary;
using Broker.Protocol.Records;

namespace Broker.Protocol.Tests.Records;

public class RecordBatchWalkerTests
{
    private static List<RecordBatchBounds> Walk(ReadOnlySpan<byte> buffer, bool allowTruncatedTail = false)
    {
        var bounds = new List<RecordBatchBounds>();
        foreach (var batch in new RecordBatchWalker(buffer, allowTruncatedTail))
            bounds.Add(batch);
        return bounds;
    }

    [Fact]
    public void Yields_the_bounds_of_each_concatenated_batch()
    {
        var first = TestBatches.Simple(0);
        var second = TestBatches.Build(CompressionType.Zstd, b => b.Append(5, "k"u8, "v"u8));
        var third = TestBatches.Simple(10);

        var bounds = Walk(TestBatches.Concat(first, second, third));

        Assert.Equal(
            [new(0, first.Length), new(first.Length, second.Length), new(first.Length + second.Length, third.Length)],
            bounds);
    }

    [Fact]
    public void CurrentBatch_is_the_batch_bytes()
    {
        var second = TestBatches.Simple(3);
        var walker = new RecordBatchWalker(TestBatches.Concat(TestBatches.Simple(0), second));

        Assert.True(walker.MoveNext());
        Assert.True(walker.MoveNext());
        Assert.Equal(second, walker.CurrentBatch.ToArray());
        Assert.False(walker.MoveNext());
    }

    [Fact]
    public void Empty_buffer_yields_nothing()
    {
        Assert.Empty(Walk([]));
    }

    [Fact]
    public void Truncated_tail_is_tolerated_only_when_asked()
    {
        var whole = TestBatches.Simple(0);
        var next = TestBatches.Simple(3);
        for (int cut = 1; cut < next.Length; cut++)
        {
            var buffer = TestBatches.Concat(whole, next[..cut]);

            var walker = new RecordBatchWalker(buffer, allowTruncatedTail: true);
            Assert.True(walker.MoveNext());
            Assert.False(walker.MoveNext());
            Assert.True(walker.EndedWithTruncatedBatch);
            Assert.Equal(whole.Length, walker.ValidBytes);

            Assert.Throws<CorruptRecordException>(() => Walk(buffer));
        }
    }

    [Fact]
    public void A_nonsense_length_is_corrupt_even_when_truncation_is_tolerated()
    {
        var next = TestBatches.Simple(3);
        BinaryPrimitives.WriteInt32BigEndian(next.AsSpan(RecordBatchLayout.BatchLength), 10);

        Assert.Throws<CorruptRecordException>(() => Walk(TestBatches.Concat(TestBatches.Simple(0), next), allowTruncatedTail: true));
    }

    [Fact]
    public void ValidBytes_marks_where_a_corrupt_batch_starts()
    {
        var first = TestBatches.Simple(0);
        var corrupt = TestBatches.Simple(3);
        corrupt[^1] ^= 0x40;
        var walker = new RecordBatchWalker(TestBatches.Concat(first, corrupt, TestBatches.Simple(6)));

        Assert.True(walker.MoveNext());
        try
        {
            walker.MoveNext();
            Assert.Fail("the corrupt batch was accepted");
        }
        catch (CorruptRecordException e)
        {
            Assert.Contains("CRC", e.Message);
        }
        Assert.Equal(first.Length, walker.ValidBytes);
    }
}
