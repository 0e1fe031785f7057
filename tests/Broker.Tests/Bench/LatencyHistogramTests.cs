using Broker.Perf;

namespace Broker.Broker.Tests.Bench;

/// <summary>The perf tool's histogram reports percentiles within its stated 0.8% of the exact ones.</summary>
public class LatencyHistogramTests
{
    [Fact]
    public void Percentiles_of_a_known_distribution_are_within_one_bucket()
    {
        var histogram = new LatencyHistogram();
        var values = Enumerable.Range(1, 100_000).Select(i => (long)i * 37 % 2_000_003).ToArray(); // a spread up to ~2 s
        foreach (var v in values)
            histogram.Record(v);
        Array.Sort(values);

        foreach (var p in new[] { 50.0, 95, 99, 99.9 })
        {
            var exact = values[(int)Math.Ceiling(p / 100 * values.Length) - 1];
            var reported = histogram.Percentile(p);
            Assert.InRange(reported, exact, exact + exact / 128 + 1);
        }
        Assert.Equal(values[^1], histogram.Max);
        Assert.Equal(values.Average(), histogram.Mean, 6);
    }

    [Fact]
    public void Weighted_records_and_merges_count_every_observation()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        a.Record(100, count: 99);
        b.Record(5_000_000);
        a.Add(b);

        Assert.Equal(100, a.Count);
        Assert.Equal(100, a.Percentile(99));
        Assert.InRange(a.Percentile(100), 5_000_000, 5_000_000);
        Assert.Equal(5_000_000, a.Max);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(511)]
    [InlineData(512)]
    [InlineData(123_456_789)]
    public void Every_value_lands_in_a_bucket_whose_range_holds_it(long value)
    {
        var index = LatencyHistogram.IndexOf(value);
        Assert.InRange(value, index == 0 ? 0 : LatencyHistogram.HighestEquivalent(index - 1) + 1, LatencyHistogram.HighestEquivalent(index));
    }
}
