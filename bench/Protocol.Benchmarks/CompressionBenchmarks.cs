using System.Buffers;
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
        _records = SampleRecords.RecordsSection(BytesPerOperation);
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
}
