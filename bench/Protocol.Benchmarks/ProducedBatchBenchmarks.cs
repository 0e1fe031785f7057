using BenchmarkDotNet.Attributes;
using Broker.Protocol.Records;

namespace Broker.Protocol.Benchmarks;

/// <summary>
/// The broker's own work on a compressed produce: decompress one batch within the budget and walk
/// every record (what the produce validator does before appending). 16 KiB is a default-sized client
/// batch; 1 MiB is a large one. RESULTS-protocol.md converts the means to MB/s of records.
/// </summary>
[MemoryDiagnoser]
public class ProducedBatchBenchmarks
{
    private byte[] _batch = [];

    [Params(CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd)]
    public CompressionType Codec { get; set; }

    [Params(16 * 1024, 1024 * 1024)]
    public int RecordBytes { get; set; }

    [GlobalSetup]
    public void Setup() => _batch = SampleRecords.Batch(Codec, RecordBytes);

    [Benchmark]
    public long DecompressAndValidate()
    {
        long valueBytes = 0;
        foreach (var record in new RecordIterator(_batch))
            valueBytes += record.Value.Length;
        return valueBytes;
    }
}
