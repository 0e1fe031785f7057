using System.Globalization;
using System.Text;

namespace Broker.Log;

/// <summary>
/// Kafka's checkpoint text format: a version line (<c>0</c>), a count line, then one entry per
/// line with space-separated fields. Written to a temporary file, synced and renamed over the old
/// one, so a crash leaves either the old or the new file, never half of one.
/// </summary>
internal static class CheckpointText
{
    private const int Version = 0;

    public static void Write(string path, IReadOnlyCollection<string> entries)
    {
        var text = new StringBuilder();
        text.Append(Version.ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append(entries.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var entry in entries)
            text.Append(entry).Append('\n');
        WriteAtomically(path, text.ToString());
    }

    /// <summary>The entry lines split into fields; empty when the file does not exist.</summary>
    public static List<string[]> Read(string path, int fieldsPerEntry)
    {
        var result = new List<string[]>();
        if (!File.Exists(path))
            return result;
        var lines = File.ReadAllLines(path);
        if (lines.Length < 2 || !int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            throw new CorruptLogFileException(path, "missing version or count line.");
        if (version != Version)
            throw new CorruptLogFileException(path, $"unrecognised version {version}.");
        if (!int.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            throw new CorruptLogFileException(path, $"bad entry count '{lines[1]}'.");
        for (var i = 2; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
                continue;
            var fields = lines[i].Split(' ');
            if (fields.Length != fieldsPerEntry)
                throw new CorruptLogFileException(path, $"line {i + 1} has {fields.Length} fields, expected {fieldsPerEntry}.");
            result.Add(fields);
        }
        if (result.Count != count)
            throw new CorruptLogFileException(path, $"expected {count} entries, found {result.Count}.");
        return result;
    }

    public static long ParseLong(string path, string field) =>
        long.TryParse(field, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new CorruptLogFileException(path, $"'{field}' is not a number.");

    public static void WriteAtomically(string path, string content)
    {
        var temp = path + LogFileNames.TempSuffix;
        using (var file = File.OpenHandle(temp, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(file, Encoding.UTF8.GetBytes(content), 0);
            RandomAccess.FlushToDisk(file);
        }
        File.Move(temp, path, overwrite: true);
    }
}
