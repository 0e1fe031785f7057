using Broker.Protocol.Messages;
using Broker.Protocol.Records;
using Broker.Protocol.Wire;

namespace Broker.Protocol.Tests.Records;

/// <summary>Records that live elsewhere are written by copying them once, straight into the output.</summary>
public class DeferredRecordsTests
{
    /// <summary>Serves bytes from an array and counts how it was asked for them.</summary>
    private sealed class CountingRecords(byte[] source) : DeferredRecords(source.Length)
    {
        public int Copies { get; private set; }
        public int BytesCopied { get; private set; }

        public override void CopyTo(int start, Span<byte> destination)
        {
            Copies++;
            BytesCopied += destination.Length;
            source.AsSpan(start, destination.Length).CopyTo(destination);
        }
    }

    private static byte[] Pattern(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 31 + 7)).ToArray();

    private static FetchResponse WithRecords(ReadOnlyMemory<byte> records) => new()
    {
        Responses = [new FetchResponse.FetchableTopicResponse
        {
            Topic = "t", Partitions = [new FetchResponse.PartitionData { PartitionIndex = 3, Records = records }],
        }],
    };

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void A_fetch_response_encodes_deferred_records_with_one_copy_and_the_same_bytes(short version)
    {
        var bytes = Pattern(70_000);
        using var deferred = new CountingRecords(bytes);

        using var output = new PooledBufferWriter();
        WithRecords(deferred.Memory).Write(new KafkaWriter(output), version);
        Assert.Equal(1, deferred.Copies);
        Assert.Equal(bytes.Length, deferred.BytesCopied);

        using var expected = new PooledBufferWriter();
        WithRecords(bytes).Write(new KafkaWriter(expected), version);
        Assert.Equal(expected.WrittenSpan.ToArray(), output.WrittenSpan.ToArray());

        var reader = new KafkaReader(output.WrittenMemory.ToArray());
        var decoded = new FetchResponse();
        decoded.Read(ref reader, version);
        Assert.Equal(bytes, decoded.Responses[0].Partitions[0].Records!.Value.ToArray());
    }

    [Fact]
    public void A_slice_copies_only_its_own_bytes()
    {
        var bytes = Pattern(1000);
        using var deferred = new CountingRecords(bytes);

        using var output = new PooledBufferWriter();
        new KafkaWriter(output).WriteRecords(deferred.Memory.Slice(100, 50), compact: false, nullable: true);

        Assert.Equal(50, deferred.BytesCopied);
        Assert.Equal(bytes.AsSpan(100, 50).ToArray(), output.WrittenSpan[4..].ToArray());
    }

    [Fact]
    public void Reading_the_span_in_process_reads_the_bytes_once()
    {
        var bytes = Pattern(300);
        using var deferred = new CountingRecords(bytes);
        ReadOnlyMemory<byte> memory = deferred.Memory;
        Assert.Equal(0, deferred.Copies);

        Assert.Equal(bytes, memory.Span.ToArray());
        Assert.Equal(bytes, memory.ToArray());
        Assert.Equal(1, deferred.Copies);
    }
}
