using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Broker.Protocol.Benchmarks;

/// <summary>
/// Bytes per second from the mean time, so results read as GB/s or MB/s rather than as nanoseconds
/// per megabyte. The benchmark class states its bytes per operation in a public const
/// <c>BytesPerOperation</c>: it must be a constant because the column runs in the host process, not
/// in the process that ran the benchmark.
/// </summary>
public sealed class ThroughputColumn(string unit, double bytesPerUnit) : IColumn
{
    public string Id => $"{nameof(ThroughputColumn)}.{unit}";
    public string ColumnName => unit;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Statistics;
    public int PriorityInCategory => 100;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => $"Throughput in {unit} (bytes per operation / mean)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        var field = benchmarkCase.Descriptor.Type.GetField("BytesPerOperation", BindingFlags.Public | BindingFlags.Static);
        if (statistics is null || field?.GetValue(null) is not int bytes)
            return "NA";
        double seconds = statistics.Mean / 1e9;
        return (bytes / seconds / bytesPerUnit).ToString("F2");
    }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
}
