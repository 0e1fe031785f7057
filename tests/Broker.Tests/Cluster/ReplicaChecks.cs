namespace Broker.Broker.Tests.Cluster;

/// <summary>Assertions over the replicas' segment files, once writes have stopped.</summary>
public static class ReplicaChecks
{
    /// <summary>
    /// Waits until every broker node holds the same batches of every partition of <paramref name="topic"/>
    /// (followers catch up after the producer stops), then checks that along each log the offsets are
    /// contiguous and the leader epochs never go down.
    /// </summary>
    public static async Task AssertConvergedAsync(E2ECluster cluster, string topic, int partitions, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(60));
        string? difference;
        while ((difference = ReplicaSegments.Difference(cluster, topic, partitions)) is not null)
        {
            if (DateTime.UtcNow > until)
                Assert.Fail($"The replicas of {topic} still differ: {difference}\n{cluster.Logs}");
            await Task.Delay(100);
        }
        foreach (var node in cluster.Nodes.Where(n => n.IsBroker))
        {
            for (var partition = 0; partition < partitions; partition++)
            {
                var batches = ReplicaSegments.Read(node, topic, partition);
                Assert.True(batches.Count > 0, $"node {node.Id} holds nothing of {topic}-{partition}");
                var disorder = ReplicaSegments.EpochsOutOfOrder(batches, $"node {node.Id} {topic}-{partition}");
                Assert.True(disorder is null, disorder);
            }
        }
    }
}
