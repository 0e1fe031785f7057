namespace Broker.Storage;

/// <summary>The refusals shared by format and start, worded for the operator who has to act.</summary>
internal static class StorageChecks
{
    public static void RequireSameCluster(LogDirectory directory, string clusterId)
    {
        if (directory.Meta!.ClusterId != clusterId)
            throw new StorageException(
                $"{directory.Path} belongs to cluster {directory.Meta.ClusterId}, not {clusterId}. " +
                "Directories of different clusters cannot be mixed: fix log.dirs / metadata.log.dir, or move the directory aside.");
    }

    public static void RequireSameNode(LogDirectory directory, int nodeId)
    {
        if (directory.Meta!.NodeId != nodeId)
            throw new StorageException(
                $"{directory.Path} was formatted for node.id {directory.Meta.NodeId} but this node has node.id {nodeId}. " +
                "If you moved the data, configure the matching node.id; to make a new node, move the directory aside and format it.");
    }

    /// <summary>The command an operator runs to format; uses the properties file when there is one.</summary>
    public static string FormatCommand(string? propertiesFile) =>
        $"dotnet run --project src/Broker -- format -t <cluster-id> -c {propertiesFile ?? "<server.properties>"}" +
        " (get a cluster id from: dotnet run --project src/Broker -- random-uuid)";
}
