using Broker.Config;

namespace Broker.Storage;

/// <summary>A checked log directory with its id.</summary>
public sealed record StorageDirectory(string Path, string DirectoryId, bool HoldsMetadata);

/// <summary>
/// The node's storage after the start-up check: one cluster, this node, every directory formatted.
/// </summary>
public sealed record NodeStorage(string ClusterId, int NodeId, IReadOnlyList<StorageDirectory> Directories, IReadOnlyList<string> NewlyFormatted)
{
    public StorageDirectory MetadataDirectory => Directories.Single(d => d.HoldsMetadata);

    public IReadOnlyList<StorageDirectory> LogDirectories(BrokerConfig config)
    {
        var logDirs = config.LogDirs.Select(System.IO.Path.GetFullPath).ToHashSet(StringComparer.Ordinal);
        return Directories.Where(d => logDirs.Contains(d.Path)).ToArray();
    }
}
