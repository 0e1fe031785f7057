using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Broker.Protocol.Compression;
using Broker.Protocol.Records;

namespace Broker.Protocol.Benchmarks;

/// <summary>
/// Each codec on 1 MiB of what a broker really compresses: the records section of a batch whose
/// values are JSON events. Throughput counts uncompressed bytes both ways.
/// </summary>
[Config(typeof(MegabytesPerSecondConfig))]
public class CompressionBenchmarks
{
    public const int BytesPerOperation = 1 << 20;

    private readonly ArrayBufferWriter<byte> _output = new(2 * BytesPerOperation);
    private byte[] _records = [];
    private byte[] _compressed = [];

    [Params(CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd)]
    public CompressionType Codec { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _records = RecordsSection(BytesPerOperation);
        _output.ResetWrittenCount();
        RecordCompression.Compress(Codec, _records, _output);
        _compressed = _output.WrittenSpan.ToArray();
    }

    [Benchmark]
    public int Compress()
    {
        _output.ResetWrittenCount();
        RecordCompression.Compress(Codec, _records, _output);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int Decompress()
    {
        _output.ResetWrittenCount();
        RecordCompression.Decompress(Codec, _compressed, _output);
        return _output.WrittenCount;
    }

    /// <summary>Encoded records with keyed JSON values, cut to exactly <paramref name="size"/> bytes.</summary>
    private static byte[] RecordsSection(int size)
    {
        var random = new Random(2024);
        string[] events = ["page_view", "add_to_cart", "checkout", "login", "search"];
        string[] agents = ["Mozilla/5.0 (X11; Linux x86_64)", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)", "okhttp/4.12.0"];
        using var builder = new RecordBatchBuilder(initialCapacity: size + 4096);
        long timestamp = 1_730_000_000_000;
        var json = new StringBuilder();
        while (builder.UncompressedSize < size + RecordBatchLayout.HeaderSize)
        {
            timestamp += random.Next(0, 20);
            int user = random.Next(1_000_000);
            json.Clear()
                .Append("{\"event\":\"").Append(events[random.Next(events.Length)])
                .Append("\",\"user_id\":").Append(user)
                .Append(",\"session\":\"").Append(random.NextInt64().ToString("x16"))
                .Append("\",\"ts\":").Append(timestamp)
                .Append(",\"agent\":\"").Append(agents[random.Next(agents.Length)])
                .Append("\",\"price\":").Append(random.Next(100, 100_000) / 100.0)
                .Append('}');
            builder.Append(timestamp, Encoding.UTF8.GetBytes($"user-{user}"), Encoding.UTF8.GetBytes(json.ToString()));
        }
        using var batch = builder.Build();
        return batch.WrittenSpan.Slice(RecordBatchLayout.HeaderSize, size).ToArray();
    }
}
