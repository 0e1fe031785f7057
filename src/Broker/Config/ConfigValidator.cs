using System.Globalization;

namespace Broker.Config;

/// <summary>
/// Checks one parsed value. <see cref="Check"/> returns the reason it is invalid, or null.
/// <see cref="Description"/> is the "valid values" column of Kafka's documentation tables.
/// </summary>
public sealed record ConfigValidator(Func<object?, string?> Check, string Description)
{
    public static ConfigValidator AtLeast(long min) => new(
        v => v is null || ToDouble(v) >= min ? null : $"Value must be at least {min}",
        $"[{min},...]");

    public static ConfigValidator Between(long min, long max) => new(
        v => v is null || (ToDouble(v) >= min && ToDouble(v) <= max)
            ? null
            : $"Value must be between {min} and {max}",
        $"[{min},...,{max}]");

    public static ConfigValidator Between(double min, double max) => new(
        v => v is null || (ToDouble(v) >= min && ToDouble(v) <= max)
            ? null
            : $"Value must be between {Format(min)} and {Format(max)}",
        $"[{Format(min)},...,{Format(max)}]");

    /// <summary>Exact, case-sensitive match: Kafka rejects "createtime" for CreateTime.</summary>
    public static ConfigValidator OneOf(params string[] allowed) => new(
        v => v is null || allowed.Contains((string)v, StringComparer.Ordinal)
            ? null
            : $"String must be one of: {string.Join(", ", allowed)}",
        $"[{string.Join(", ", allowed)}]");

    public static ConfigValidator EachOneOf(params string[] allowed) => new(
        v =>
        {
            if (v is not IReadOnlyList<string> items)
                return null;
            var bad = items.FirstOrDefault(i => !allowed.Contains(i, StringComparer.Ordinal));
            return bad is null ? null : $"'{bad}' is not one of: {string.Join(", ", allowed)}";
        },
        $"[{string.Join(", ", allowed)}]");

    /// <summary>gzip levels are 1..9 plus Deflater's "default" of -1.</summary>
    public static ConfigValidator MinusOneOrBetween(long min, long max) => new(
        v => v is null || ToDouble(v) == -1 || (ToDouble(v) >= min && ToDouble(v) <= max)
            ? null
            : $"Value must be -1 or between {min} and {max}",
        $"[-1] or [{min},...,{max}]");

    /// <summary>metrics.http.listener: an http://host:port address, or empty for "off".</summary>
    public static ConfigValidator HttpListenerAddress() => new(
        v => v is not string text || text.Length == 0 || Operations.OperationsAddress.TryParse(text, out _)
            ? null
            : "Expected http://host:port (IPv6 hosts in brackets), or an empty value to turn the endpoint off",
        "http://host:port, or empty");

    private static double ToDouble(object value) => Convert.ToDouble(value, CultureInfo.InvariantCulture);

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
