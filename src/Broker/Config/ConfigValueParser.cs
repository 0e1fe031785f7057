using System.Globalization;
using System.Numerics;

namespace Broker.Config;

/// <summary>
/// Text to typed value with Kafka's rules: surrounding whitespace is ignored, booleans are
/// case-insensitive, lists are comma separated and an empty text is an empty list.
/// </summary>
public static class ConfigValueParser
{
    public static object? Parse(string key, ConfigType type, string? raw)
    {
        if (raw is null)
            return null;
        var text = raw.Trim();
        return type switch
        {
            ConfigType.Boolean => ParseBoolean(key, raw, text),
            ConfigType.Int => Number<int>(key, raw, text, NumberStyles.AllowLeadingSign, "INT"),
            ConfigType.Short => Number<short>(key, raw, text, NumberStyles.AllowLeadingSign, "SHORT"),
            ConfigType.Long => Number<long>(key, raw, text, NumberStyles.AllowLeadingSign, "LONG"),
            ConfigType.Double => Number<double>(key, raw, text, NumberStyles.Float, "DOUBLE"),
            ConfigType.List => SplitList(text),
            _ => text,
        };
    }

    public static IReadOnlyList<string> SplitList(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
            return [];
        return trimmed.Split(',').Select(item => item.Trim()).ToArray();
    }

    private static T Number<T>(string key, string raw, string text, NumberStyles styles, string typeName)
        where T : INumberBase<T> =>
        T.TryParse(text, styles, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ConfigException(key, raw, $"Not a number of type {typeName}");

    private static bool ParseBoolean(string key, string raw, string text)
    {
        if (text.Equals("true", StringComparison.OrdinalIgnoreCase))
            return true;
        if (text.Equals("false", StringComparison.OrdinalIgnoreCase))
            return false;
        throw new ConfigException(key, raw, "Expected value to be either true or false");
    }
}
