using System;

namespace Broker.Protocol.Generator;

/// <summary>An inclusive version range as written in definitions: "3+", "0-5", "2", or "none".</summary>
public readonly struct VersionRange
{
    public const short Open = short.MaxValue;

    public VersionRange(short low, short high)
    {
        Low = low;
        High = high;
    }

    public short Low { get; }
    public short High { get; }
    public bool IsNone => Low > High;

    public static readonly VersionRange None = new VersionRange(1, 0);
    public static readonly VersionRange All = new VersionRange(0, Open);

    public bool Contains(short version) => version >= Low && version <= High;

    public VersionRange Intersect(VersionRange other) =>
        new VersionRange(Math.Max(Low, other.Low), Math.Min(High, other.High));

    public static VersionRange Parse(string text)
    {
        if (text == "none")
            return None;
        if (text.EndsWith("+"))
            return new VersionRange(short.Parse(text.Substring(0, text.Length - 1)), Open);
        var dash = text.IndexOf('-');
        if (dash > 0)
            return new VersionRange(short.Parse(text.Substring(0, dash)), short.Parse(text.Substring(dash + 1)));
        var single = short.Parse(text);
        return new VersionRange(single, single);
    }

    /// <summary>
    /// A C# condition on <paramref name="variable"/> that is true inside this range, simplified
    /// against the versions the message declares (a check that always holds becomes "true").
    /// </summary>
    public string Condition(string variable, VersionRange declared)
    {
        var effective = Intersect(declared);
        if (effective.IsNone)
            return "false";
        var needLow = effective.Low > declared.Low;
        var needHigh = effective.High < declared.High;
        if (needLow && needHigh)
            return effective.Low == effective.High
                ? $"{variable} == {effective.Low}"
                : $"({variable} >= {effective.Low} && {variable} <= {effective.High})";
        if (needLow)
            return $"{variable} >= {effective.Low}";
        if (needHigh)
            return $"{variable} <= {effective.High}";
        return "true";
    }

    public override string ToString() =>
        IsNone ? "none" : High == Open ? Low + "+" : Low == High ? Low.ToString() : Low + "-" + High;
}
