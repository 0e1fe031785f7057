using BenchmarkDotNet.Configs;

namespace Broker.Protocol.Benchmarks;

public sealed class GigabytesPerSecondConfig : ManualConfig
{
    public GigabytesPerSecondConfig() => AddColumn(new ThroughputColumn("GB/s", 1e9));
}

public sealed class MegabytesPerSecondConfig : ManualConfig
{
    public MegabytesPerSecondConfig() => AddColumn(new ThroughputColumn("MB/s", 1e6));
}
