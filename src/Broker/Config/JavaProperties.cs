using System.Globalization;
using System.Text;

namespace Broker.Config;

/// <summary>
/// Reads and writes the java.util.Properties text format used by server.properties and
/// meta.properties. Files are read as UTF-8, not Java's ISO-8859-1: the two agree on ASCII, which
/// is all Kafka's keys and values use, and UTF-8 is what editors write today.
/// </summary>
public static class JavaProperties
{
    /// <summary>Entries in file order; a key given twice keeps its last value, as in Java.</summary>
    public static IReadOnlyDictionary<string, string> Parse(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var position = 0;
        var lineNumber = 0;
        while (ReadLogicalLine(text, ref position, ref lineNumber) is { } line)
        {
            var (key, value) = SplitKeyValue(line, lineNumber);
            result[key] = value;
        }
        return result;
    }

    public static IReadOnlyDictionary<string, string> Load(string path) =>
        Parse(File.ReadAllText(path, Encoding.UTF8));

    /// <summary>
    /// Java's Properties.store layout: a comment line, a date comment, then one escaped
    /// <c>key=value</c> line per entry in key order (what Java 18 and later write).
    /// </summary>
    public static string Write(IEnumerable<KeyValuePair<string, string>> entries, string? comment, DateTimeOffset now)
    {
        var builder = new StringBuilder();
        if (comment is not null)
            builder.Append('#').Append(comment).Append('\n');
        builder.Append('#').Append(FormatJavaDate(now)).Append('\n');
        foreach (var (key, value) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            Escape(builder, key, escapeSpaces: true);
            builder.Append('=');
            Escape(builder, value, escapeSpaces: false);
            builder.Append('\n');
        }
        return builder.ToString();
    }

    /// <summary>java.util.Date.toString() in UTC, e.g. "Thu Mar 14 10:22:33 UTC 2024".</summary>
    private static string FormatJavaDate(DateTimeOffset now) =>
        now.UtcDateTime.ToString("ddd MMM dd HH:mm:ss 'UTC' yyyy", CultureInfo.InvariantCulture);

    private static string? ReadLogicalLine(string text, ref int position, ref int lineNumber)
    {
        var builder = new StringBuilder();
        var continuing = false;
        while (position < text.Length)
        {
            var natural = ReadNaturalLine(text, ref position);
            lineNumber++;
            var start = SkipWhitespace(natural, 0);
            if (!continuing)
            {
                // A comment line ends at its newline even when it ends in a backslash.
                if (start == natural.Length || natural[start] is '#' or '!')
                    continue;
            }
            var content = natural.AsSpan(start);
            if (EndsWithContinuation(content))
            {
                builder.Append(content[..^1]);
                continuing = true;
                continue;
            }
            builder.Append(content);
            return builder.ToString();
        }
        // A continuation backslash on the last line of the file continues into nothing.
        return continuing ? builder.ToString() : null;
    }

    private static string ReadNaturalLine(string text, ref int position)
    {
        var end = text.IndexOfAny(['\n', '\r'], position);
        if (end < 0)
        {
            var last = text[position..];
            position = text.Length;
            return last;
        }
        var line = text[position..end];
        position = end + 1;
        if (text[end] == '\r' && position < text.Length && text[position] == '\n')
            position++;
        return line;
    }

    /// <summary>An odd number of trailing backslashes: the last one escapes the newline.</summary>
    private static bool EndsWithContinuation(ReadOnlySpan<char> line)
    {
        var count = 0;
        for (var i = line.Length - 1; i >= 0 && line[i] == '\\'; i--)
            count++;
        return count % 2 == 1;
    }

    private static (string Key, string Value) SplitKeyValue(string line, int lineNumber)
    {
        var keyEnd = 0;
        while (keyEnd < line.Length)
        {
            var c = line[keyEnd];
            if (c == '\\')
            {
                keyEnd += 2;
                continue;
            }
            if (c is '=' or ':' || IsWhitespace(c))
                break;
            keyEnd++;
        }
        keyEnd = Math.Min(keyEnd, line.Length);
        var valueStart = SkipWhitespace(line, keyEnd);
        if (valueStart < line.Length && line[valueStart] is '=' or ':')
            valueStart = SkipWhitespace(line, valueStart + 1);
        return (Unescape(line.AsSpan(0, keyEnd), lineNumber), Unescape(line.AsSpan(valueStart), lineNumber));
    }

    private static string Unescape(ReadOnlySpan<char> text, int lineNumber)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '\\' || i + 1 >= text.Length)
            {
                builder.Append(c);
                continue;
            }
            var escaped = text[++i];
            switch (escaped)
            {
                case 't': builder.Append('\t'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 'f': builder.Append('\f'); break;
                case 'u':
                    if (text.Length - (i + 1) < 4
                        || !ushort.TryParse(text.Slice(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                        throw new FormatException($"Malformed \\uxxxx encoding on line {lineNumber}.");
                    builder.Append((char)code);
                    i += 4;
                    break;
                default: builder.Append(escaped); break;
            }
        }
        return builder.ToString();
    }

    private static void Escape(StringBuilder builder, string text, bool escapeSpaces)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case ' ' when escapeSpaces || i == 0: builder.Append("\\ "); break;
                case '\t': builder.Append("\\t"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\f': builder.Append("\\f"); break;
                case '\\' or '=' or ':' or '#' or '!': builder.Append('\\').Append(c); break;
                default: builder.Append(c); break;
            }
        }
    }

    private static int SkipWhitespace(string text, int index)
    {
        while (index < text.Length && IsWhitespace(text[index]))
            index++;
        return index;
    }

    private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\f';
}
