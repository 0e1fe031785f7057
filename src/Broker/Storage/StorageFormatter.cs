using Broker.Config;

namespace Broker.Storage;

/// <summary>
/// The <c>format</c> step (kafka-storage format): writes meta.properties into every log dir and
/// the metadata dir. The metadata log's bootstrap checkpoint belongs to the Raft layer.
/// </summary>
public static class StorageFormatter
{
    /// <summary>Formats the unformatted directories; returns the ones it formatted.</summary>
    /// <exception cref="StorageException">A directory is already formatted (unless <paramref name="ignoreFormatted"/>), or belongs to another cluster or node.</exception>
    public static IReadOnlyList<LogDirectory> Format(BrokerConfig config, string clusterId, bool ignoreFormatted, TextWriter output)
    {
        ClusterId.Validate(clusterId);
        var directories = LogDirectory.InspectAll(config);
        foreach (var formatted in directories.Where(d => d.IsFormatted))
        {
            if (!ignoreFormatted)
                throw new StorageException(
                    $"Log directory {formatted.Path} is already formatted. Use --ignore-formatted to ignore this directory and format the others.");
            StorageChecks.RequireSameCluster(formatted, clusterId);
            StorageChecks.RequireSameNode(formatted, config.NodeId);
        }
        var empty = directories.Where(d => !d.IsFormatted).ToArray();
        if (empty.Length == 0)
            output.WriteLine("All of the log directories are already formatted.");
        foreach (var directory in empty)
        {
            output.WriteLine(directory.HoldsMetadata
                ? $"Formatting metadata directory {directory.Path} with cluster.id {clusterId}."
                : $"Formatting data directory {directory.Path} with cluster.id {clusterId}.");
            WriteNew(directory.Path, clusterId, config.NodeId);
        }
        return empty;
    }

    internal static void WriteNew(string path, string clusterId, int nodeId) =>
        MetaPropertiesFile.Write(path, new MetaProperties(clusterId, nodeId, ClusterId.Generate()));
}
