using BenchmarkDotNet.Attributes;
using Broker.Protocol.Records;

namespace Broker.Protocol.Benchmarks;

/// <summary>CRC32C as the broker computes it for every produced batch: 1 MiB, hardware instructions.</summary>
[Config(typeof(GigabytesPerSecondConfig))]
public class Crc32cBenchmarks
{
    public const int BytesPerOperation = 1 << 20;

    // ComputeCrc starts at the attributes field; pad so exactly BytesPerOperation bytes are covered.
    private readonly byte[] _batch = new byte[RecordBatchLayout.Attributes + BytesPerOperation];

    [GlobalSetup]
    public void Setup() => new Random(1).NextBytes(_batch);

    [Benchmark]
    public uint ComputeCrc() => RecordBatchHeader.ComputeCrc(_batch);
}
