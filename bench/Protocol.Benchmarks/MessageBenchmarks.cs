using BenchmarkDotNet.Attributes;
using Broker.Protocol.Messages;
using Broker.Protocol.Records;
using Broker.Protocol.Wire;

namespace Broker.Protocol.Benchmarks;

/// <summary>
/// Decode and encode of a 1 MiB Produce request and a 1 MiB Fetch response at their latest versions:
/// the cost the broker pays per request around the record bytes, which stay raw.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(MegabytesPerSecondConfig))]
public class MessageBenchmarks
{
    private const int PayloadBytes = 1024 * 1024;

    /// <summary>Record bytes carried per operation, for the MB/s column.</summary>
    public const int BytesPerOperation = PayloadBytes;
    private byte[] _produceBytes = [];
    private byte[] _fetchBytes = [];
    private ProduceRequest _produce = new();
    private FetchResponse _fetch = new();
    private readonly PooledBufferWriter _output = new(PayloadBytes + 4096);

    [GlobalSetup]
    public void Setup()
    {
        var batch = BuildBatch();
        _produce = new ProduceRequest { Acks = -1, TimeoutMs = 30000 };
        var topic = new ProduceRequest.TopicProduceData { Name = "bench" };
        for (var p = 0; p < 4; p++)
            topic.PartitionData.Add(new ProduceRequest.PartitionProduceData { Index = p, Records = batch });
        _produce.TopicData.Add(topic);
        _produceBytes = Encode(_produce, ProduceRequest.HighestSupportedVersion);

        _fetch = new FetchResponse();
        var fetched = new FetchResponse.FetchableTopicResponse { TopicId = new Uuid(1, 2) };
        for (var p = 0; p < 4; p++)
            fetched.Partitions.Add(new FetchResponse.PartitionData { PartitionIndex = p, HighWatermark = 1000, Records = batch });
        _fetch.Responses.Add(fetched);
        _fetchBytes = Encode(_fetch, FetchResponse.HighestSupportedVersion);
    }

    /// <summary>Four partitions of 256 KiB each: 1 KiB records, uncompressed.</summary>
    private static ReadOnlyMemory<byte> BuildBatch()
    {
        using var builder = new RecordBatchBuilder();
        var value = new byte[1000];
        new Random(1).NextBytes(value);
        for (var i = 0; i < PayloadBytes / 4 / 1024; i++)
            builder.Append(1_700_000_000_000 + i, NullableBytes.Null, value);
        using var built = builder.Build();
        return built.ToArray();
    }

    private static byte[] Encode(IKafkaMessage message, short version)
    {
        using var buffer = new PooledBufferWriter();
        message.Write(new KafkaWriter(buffer), version);
        return buffer.ToArray();
    }

    [Benchmark]
    public int DecodeProduceRequest()
    {
        var reader = new KafkaReader(_produceBytes);
        var request = new ProduceRequest();
        request.Read(ref reader, ProduceRequest.HighestSupportedVersion);
        return request.TopicData.Count;
    }

    [Benchmark]
    public int EncodeProduceRequest()
    {
        _output.Reset();
        _produce.Write(new KafkaWriter(_output), ProduceRequest.HighestSupportedVersion);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int DecodeFetchResponse()
    {
        var reader = new KafkaReader(_fetchBytes);
        var response = new FetchResponse();
        response.Read(ref reader, FetchResponse.HighestSupportedVersion);
        return response.Responses.Count;
    }

    [Benchmark]
    public int EncodeFetchResponse()
    {
        _output.Reset();
        _fetch.Write(new KafkaWriter(_output), FetchResponse.HighestSupportedVersion);
        return _output.WrittenCount;
    }
}
