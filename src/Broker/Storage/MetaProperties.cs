using System.Globalization;
using Broker.Config;

namespace Broker.Storage;

/// <summary>
/// The contents of <c>meta.properties</c> in KRaft mode (version 1): which cluster and node a log
/// directory belongs to, and the directory's own id (KIP-858). Written as Java's
/// Properties.store writes it, so Kafka's tools read our directories and we read theirs.
/// </summary>
public sealed record MetaProperties(string ClusterId, int NodeId, string? DirectoryId)
{
    public const string FileName = "meta.properties";
    public const int KRaftVersion = 1;

    public static MetaProperties Parse(IReadOnlyDictionary<string, string> properties, string source)
    {
        var version = Required(properties, "version", source);
        if (version == "0")
            throw new StorageException(
                $"{source} is a version 0 (ZooKeeper mode) meta.properties; this broker only runs in KRaft mode. Move the directory aside and format a new one.");
        if (version != "1")
            throw new StorageException($"{source} has unsupported version={version}; expected version=1.");
        var clusterId = Required(properties, "cluster.id", source);
        var nodeText = Required(properties, "node.id", source);
        if (!int.TryParse(nodeText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var nodeId) || nodeId < 0)
            throw new StorageException($"{source} has node.id={nodeText}, which is not a node id.");
        return new MetaProperties(clusterId, nodeId, properties.GetValueOrDefault("directory.id"));
    }

    public string Serialize(DateTimeOffset now)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["version"] = KRaftVersion.ToString(CultureInfo.InvariantCulture),
            ["cluster.id"] = ClusterId,
            ["node.id"] = NodeId.ToString(CultureInfo.InvariantCulture),
        };
        if (DirectoryId is not null)
            entries["directory.id"] = DirectoryId;
        // Kafka stores with an empty comment, which Java renders as a lone "#" line above the date.
        return JavaProperties.Write(entries, comment: "", now);
    }

    private static string Required(IReadOnlyDictionary<string, string> properties, string key, string source) =>
        properties.TryGetValue(key, out var value) && value.Length > 0
            ? value
            : throw new StorageException($"{source} has no {key}; the file is damaged. Move the directory aside and format it again.");
}
