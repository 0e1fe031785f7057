using System.Numerics;

namespace Broker.Perf;

/// <summary>
/// Log-bucketed histogram of microsecond values in the style of HdrHistogram: exact below 256, then
/// 128 sub-buckets per power of two, so any reported percentile is within 0.8% of the true value.
/// Fixed size, no allocation when recording; one writer at a time (merge per-writer copies at the end).
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBuckets = 1 << SubBucketBits;       // 128
    private const int LinearLimit = SubBuckets * 2;          // values below this are exact
    private const int MaxExponent = 40;                      // 2^47 µs ≈ 4.5 years: nothing overflows

    private readonly long[] _counts = new long[LinearLimit + MaxExponent * SubBuckets];

    public long Count { get; private set; }
    public long Max { get; private set; }
    public long Min { get; private set; } = long.MaxValue;
    private double _sum;

    public double Mean => Count == 0 ? 0 : _sum / Count;

    /// <summary>Adds <paramref name="count"/> observations of <paramref name="micros"/>.</summary>
    public void Record(long micros, long count = 1)
    {
        if (count <= 0)
            return;
        micros = Math.Max(0, micros);
        _counts[IndexOf(micros)] += count;
        Count += count;
        _sum += (double)micros * count;
        if (micros > Max)
            Max = micros;
        if (micros < Min)
            Min = micros;
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
            _counts[i] += other._counts[i];
        Count += other.Count;
        _sum += other._sum;
        Max = Math.Max(Max, other.Max);
        Min = Math.Min(Min, other.Min);
    }

    /// <summary>The smallest recorded value such that <paramref name="percentile"/>% of observations are at or below it.</summary>
    public long Percentile(double percentile)
    {
        if (Count == 0)
            return 0;
        var rank = (long)Math.Ceiling(percentile / 100.0 * Count);
        rank = Math.Clamp(rank, 1, Count);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
                return Math.Min(HighestEquivalent(i), Max);
        }
        return Max;
    }

    internal static int IndexOf(long value)
    {
        if (value < LinearLimit)
            return (int)value;
        // value has bits above the linear range: keep its top 8 bits (1xxxxxxx) as the sub-bucket.
        var shift = 63 - BitOperations.LeadingZeroCount((ulong)value) - SubBucketBits;
        var sub = (int)(value >> shift) - SubBuckets;
        return Math.Min(LinearLimit + (shift - 1) * SubBuckets + sub, LinearLimit + MaxExponent * SubBuckets - 1);
    }

    /// <summary>The largest value that lands in bucket <paramref name="index"/>.</summary>
    internal static long HighestEquivalent(int index)
    {
        if (index < LinearLimit)
            return index;
        var shift = (index - LinearLimit) / SubBuckets + 1;
        var sub = (index - LinearLimit) % SubBuckets + SubBuckets;
        return (((long)sub + 1) << shift) - 1;
    }
}
