using System.Text;
using Broker.Config;

namespace Broker.Storage;

/// <summary>Reads and atomically replaces <c>meta.properties</c> in a log directory.</summary>
public static class MetaPropertiesFile
{
    public static string PathIn(string directory) => Path.Combine(directory, MetaProperties.FileName);

    /// <summary>The directory's meta.properties, or null when the directory is not formatted.</summary>
    public static MetaProperties? Read(string directory)
    {
        var path = PathIn(directory);
        if (!File.Exists(path))
            return null;
        IReadOnlyDictionary<string, string> properties;
        try
        {
            properties = JavaProperties.Load(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            throw new StorageException($"Cannot read {path}: {e.Message}");
        }
        return MetaProperties.Parse(properties, path);
    }

    /// <summary>
    /// Writes through a temporary file and a rename, with an fsync before the rename, so a crash
    /// leaves either the old file or the new one, never a torn one.
    /// </summary>
    public static void Write(string directory, MetaProperties meta)
    {
        Directory.CreateDirectory(directory);
        var path = PathIn(directory);
        var temporary = path + ".tmp";
        var bytes = Encoding.UTF8.GetBytes(meta.Serialize(DateTimeOffset.UtcNow));
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
