namespace Broker.Log;

/// <summary>The process's soft limit on open file descriptors (<c>RLIMIT_NOFILE</c>, what <c>ulimit -n</c> shows).</summary>
public static class OpenFileLimit
{
    /// <summary>Assumed where the limit cannot be read: the common Linux default.</summary>
    public const long Fallback = 1024;

    /// <summary>Reads the soft limit from <c>/proc/self/limits</c>; <see cref="Fallback"/> where that cannot be read.</summary>
    public static long Current()
    {
        try
        {
            return File.Exists("/proc/self/limits") ? Parse(File.ReadLines("/proc/self/limits")) : Fallback;
        }
        catch (IOException)
        {
            return Fallback;
        }
    }

    /// <summary>The soft value of the "Max open files" row: <c>Max open files  1024  524288  files</c>.</summary>
    internal static long Parse(IEnumerable<string> lines)
    {
        const string Row = "Max open files";
        foreach (var line in lines)
        {
            if (!line.StartsWith(Row, StringComparison.Ordinal))
                continue;
            var fields = line[Row.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 0 && long.TryParse(fields[0], out var soft) && soft > 0)
                return soft;
            return fields.Length > 0 && fields[0] == "unlimited" ? int.MaxValue : Fallback;
        }
        return Fallback;
    }
}
