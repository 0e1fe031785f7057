using Broker.Config;

namespace Broker.Storage;

/// <summary>One configured directory (log dir or metadata dir) and what its meta.properties says.</summary>
public sealed record LogDirectory(string Path, bool HoldsMetadata, MetaProperties? Meta)
{
    public bool IsFormatted => Meta is not null;

    /// <summary>
    /// Every log dir plus the metadata dir, as absolute paths, each once; the metadata dir is
    /// often also the first log dir.
    /// </summary>
    public static IReadOnlyList<LogDirectory> InspectAll(BrokerConfig config)
    {
        var metadata = System.IO.Path.GetFullPath(config.MetadataLogDir);
        var paths = config.LogDirs.Select(System.IO.Path.GetFullPath).ToList();
        if (!paths.Contains(metadata, StringComparer.Ordinal))
            paths.Add(metadata);
        return paths.Select(p => new LogDirectory(p, p == metadata, MetaPropertiesFile.Read(p))).ToArray();
    }
}
