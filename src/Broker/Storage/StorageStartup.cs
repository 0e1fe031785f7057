using Broker.Config;

namespace Broker.Storage;

/// <summary>How the start-up check may treat unformatted storage.</summary>
public sealed record StorageStartOptions
{
    /// <summary>
    /// Format an unformatted metadata directory instead of refusing: the zero-config dev node, and
    /// containers that pass CLUSTER_ID (the apache/kafka image formats on start the same way).
    /// </summary>
    public bool AutoFormat { get; init; }

    /// <summary>The cluster id to format with; null generates one.</summary>
    public string? ClusterId { get; init; }

    /// <summary>The properties file the node was started with, quoted in the format hint.</summary>
    public string? PropertiesFile { get; init; }
}

/// <summary>
/// The storage check before a node starts, as Kafka does it: the metadata directory must be
/// formatted, every formatted directory must carry the same cluster id and this node's id, and
/// directory ids must be unique. An empty extra log directory is formatted on the spot with the
/// cluster's id, as Kafka does, so adding a disk to log.dirs needs no separate step.
/// </summary>
public static class StorageStartup
{
    public static NodeStorage Prepare(BrokerConfig config, StorageStartOptions options)
    {
        var directories = LogDirectory.InspectAll(config);
        var formatted = directories.Where(d => d.IsFormatted).ToArray();

        var clusters = formatted.Select(d => d.Meta!.ClusterId).Distinct(StringComparer.Ordinal).ToArray();
        if (clusters.Length > 1)
            throw new StorageException("The log directories belong to different clusters: "
                + string.Join("; ", formatted.Select(d => $"{d.Path} has cluster.id {d.Meta!.ClusterId}"))
                + ". Fix log.dirs / metadata.log.dir, or move the foreign directories aside.");
        foreach (var directory in formatted)
            StorageChecks.RequireSameNode(directory, config.NodeId);
        if (clusters.Length == 1 && options.ClusterId is { } wanted)
            StorageChecks.RequireSameCluster(formatted[0], wanted);

        var metadata = directories.Single(d => d.HoldsMetadata);
        if (!metadata.IsFormatted && !options.AutoFormat)
            throw new StorageException(
                $"No {MetaProperties.FileName} in {metadata.Path}: the storage of this node is not formatted. Format it first: "
                + StorageChecks.FormatCommand(options.PropertiesFile));

        var clusterId = clusters.SingleOrDefault() ?? options.ClusterId ?? ClusterId.Generate();
        if (options.ClusterId is not null)
            ClusterId.Validate(clusterId);
        var newlyFormatted = new List<string>();
        foreach (var directory in directories)
        {
            if (directory.IsFormatted && directory.Meta!.DirectoryId is not null)
                continue;
            if (directory.IsFormatted)
                // Written before directory ids existed (Kafka < 3.7): give it one, as Kafka does.
                MetaPropertiesFile.Write(directory.Path, directory.Meta! with { DirectoryId = ClusterId.Generate() });
            else
            {
                StorageFormatter.WriteNew(directory.Path, clusterId, config.NodeId);
                newlyFormatted.Add(directory.Path);
            }
        }

        var result = LogDirectory.InspectAll(config)
            .Select(d => new StorageDirectory(d.Path, d.Meta!.DirectoryId!, d.HoldsMetadata))
            .ToArray();
        var duplicate = result.GroupBy(d => d.DirectoryId).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new StorageException(
                $"directory.id {duplicate.Key} appears in more than one directory ({string.Join(", ", duplicate.Select(d => d.Path))}); "
                + "a directory was probably copied. Move the copy aside so it is formatted afresh.");
        return new NodeStorage(clusterId, config.NodeId, result, newlyFormatted);
    }
}
