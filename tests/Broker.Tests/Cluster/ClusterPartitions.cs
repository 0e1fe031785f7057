using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Broker.Tests.Cluster;

/// <summary>Topics, partition leaders and group coordinators of an <see cref="E2ECluster"/> as its nodes report them.</summary>
public static class ClusterPartitions
{
    /// <summary>Creates <paramref name="topic"/> through confluent-kafka's admin client with RF 3 and the given min.insync.replicas.</summary>
    public static async Task CreateTopicAsync(this E2ECluster cluster, string topic, int partitions, int minInsyncReplicas = 2) =>
        ClusterAdmin.Succeeded(await ClusterAdmin.ConfluentAsync("create", cluster.Bootstrap, "--topic", topic, "--partitions", partitions.ToString(),
            "--rf", "3", "--config", $"min.insync.replicas={minInsyncReplicas}"), cluster);

    /// <summary>The partitions of <paramref name="topic"/> as <paramref name="node"/>'s Metadata answers; null while it cannot answer.</summary>
    public static async Task<List<ClusterAdmin.PartitionView>?> ViewAsync(ClusterNode node, string topic)
    {
        try
        {
            var t = (await node.MetadataAsync(topic)).Topics.Single();
            return t.ErrorCode != 0 ? null : t.Partitions.OrderBy(p => p.PartitionIndex)
                .Select(p => new ClusterAdmin.PartitionView(p.PartitionIndex, p.LeaderId, p.ReplicaNodes.ToArray(), p.IsrNodes.Order().ToArray())).ToList();
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException)
        {
            return null;
        }
    }

    /// <summary>
    /// Waits until every running broker reports each partition with all replicas in sync and the same
    /// running leader; returns the leader of each partition.
    /// </summary>
    public static async Task<int[]> WaitForFullIsrAsync(this E2ECluster cluster, string topic, int partitions, TimeSpan? deadline = null)
    {
        int[] leaders = [];
        await cluster.Until(async () =>
        {
            int[]? agreed = null;
            foreach (var node in cluster.Running.Where(n => n.IsBroker).ToArray())
            {
                var view = await ViewAsync(node, topic);
                if (view is null || view.Count != partitions)
                    return false;
                if (view.Any(p => p.Isr.Length != p.Replicas.Length || !cluster.Nodes.Any(n => n.Id == p.Leader && n.IsRunning)))
                    return false;
                var seen = view.Select(p => p.Leader).ToArray();
                if (agreed is not null && !agreed.SequenceEqual(seen))
                    return false;
                agreed = seen;
            }
            leaders = agreed ?? [];
            return leaders.Length == partitions;
        }, $"every running node to report {topic} with its full ISR and one running leader per partition", deadline ?? TimeSpan.FromSeconds(60));
        return leaders;
    }

    /// <summary>The node coordinating <paramref name="group"/>, as a running broker answers FindCoordinator.</summary>
    public static async Task<int> CoordinatorAsync(this E2ECluster cluster, string group)
    {
        var coordinator = -1;
        await cluster.Until(async () =>
        {
            try
            {
                using var connection = await cluster.Running.First(n => n.IsBroker).ConnectAsync();
                var response = await connection.RequestAsync<FindCoordinatorResponse>(new FindCoordinatorRequest { Key = group, KeyType = 0 }, 3);
                coordinator = response.ErrorCode == (short)ErrorCode.None ? response.NodeId : -1;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException)
            {
                coordinator = -1;
            }
            return coordinator >= 0;
        }, $"a coordinator for group {group}");
        return coordinator;
    }
}
