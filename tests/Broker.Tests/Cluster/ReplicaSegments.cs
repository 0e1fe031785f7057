using Broker.Log;
using Broker.Protocol.Records;

namespace Broker.Broker.Tests.Cluster;

/// <summary>One record batch as a replica stored it: the batches are kept exactly as on the wire.</summary>
public sealed record StoredBatch(long BaseOffset, long LastOffset, int LeaderEpoch, byte[] Bytes);

/// <summary>
/// Reads a partition's segment files (<c>topic-N/*.log</c>) straight from each node's data directory,
/// so replicas can be compared batch for batch without asking any broker.
/// </summary>
public static class ReplicaSegments
{
    /// <summary>The complete batches of every segment of the partition on <paramref name="node"/>, in offset order.</summary>
    public static List<StoredBatch> Read(ClusterNode node, string topic, int partition)
    {
        var directory = Path.Combine(node.LogDir, new TopicPartition(topic, partition).ToString());
        var batches = new List<StoredBatch>();
        if (!Directory.Exists(directory))
            return batches;
        foreach (var file in Directory.GetFiles(directory, "*" + LogFileNames.LogSuffix).Order(StringComparer.Ordinal))
        {
            byte[] bytes;
            try
            {
                // The broker may be appending: share the file and keep only the complete batches.
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                bytes = new byte[stream.Length];
                stream.ReadExactly(bytes);
            }
            catch (FileNotFoundException)
            {
                continue; // a segment deleted or renamed while we listed them
            }
            for (var position = 0; position + RecordBatchLayout.LogOverhead <= bytes.Length;)
            {
                var header = new RecordBatchHeader(bytes.AsSpan(position));
                if (header.BatchLength <= 0 || position + header.TotalSize > bytes.Length)
                    break;
                batches.Add(new StoredBatch(header.BaseOffset, header.LastOffset, header.PartitionLeaderEpoch,
                    bytes.AsSpan(position, header.TotalSize).ToArray()));
                position += header.TotalSize;
            }
        }
        return batches;
    }

    /// <summary>
    /// Null when every broker node holds the same batches, byte for byte, for each partition;
    /// otherwise what differs first, for the failure message.
    /// </summary>
    public static string? Difference(E2ECluster cluster, string topic, int partitions)
    {
        for (var partition = 0; partition < partitions; partition++)
        {
            var replicas = cluster.Nodes.Where(n => n.IsBroker).Select(n => (Node: n.Id, Batches: Read(n, topic, partition))).ToArray();
            var reference = replicas[0];
            foreach (var other in replicas.Skip(1))
            {
                var common = Math.Min(reference.Batches.Count, other.Batches.Count);
                for (var i = 0; i < common; i++)
                {
                    var (a, b) = (reference.Batches[i], other.Batches[i]);
                    if (!a.Bytes.AsSpan().SequenceEqual(b.Bytes))
                        return $"{topic}-{partition}: batch {i} differs: node {reference.Node} has offsets {a.BaseOffset}..{a.LastOffset} epoch {a.LeaderEpoch}, " +
                               $"node {other.Node} has {b.BaseOffset}..{b.LastOffset} epoch {b.LeaderEpoch}";
                }
                if (reference.Batches.Count != other.Batches.Count)
                    return $"{topic}-{partition}: node {reference.Node} holds {reference.Batches.Count} batches (to offset {End(reference.Batches)}), " +
                           $"node {other.Node} holds {other.Batches.Count} (to offset {End(other.Batches)})";
            }
        }
        return null;
    }

    /// <summary>Null when leader epochs never go down along the log (two leaders writing one epoch would interleave them).</summary>
    public static string? EpochsOutOfOrder(List<StoredBatch> batches, string where)
    {
        for (var i = 1; i < batches.Count; i++)
        {
            if (batches[i].LeaderEpoch < batches[i - 1].LeaderEpoch)
                return $"{where}: epoch {batches[i].LeaderEpoch} at offset {batches[i].BaseOffset} follows epoch {batches[i - 1].LeaderEpoch}";
            if (batches[i].BaseOffset != batches[i - 1].LastOffset + 1)
                return $"{where}: offset {batches[i].BaseOffset} follows {batches[i - 1].LastOffset}";
        }
        return null;
    }

    private static long End(List<StoredBatch> batches) => batches.Count == 0 ? 0 : batches[^1].LastOffset + 1;
}
