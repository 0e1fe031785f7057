using Broker.Broker.Tests.EndToEnd;

namespace Broker.Broker.Tests.Cluster;

/// <summary>
/// A reassignment that adds a replica completes once the new replica has caught up (the leader's
/// AlterPartition puts it in the ISR), and moving a partition off its leader hands leadership to
/// the new replica with every record intact. Needs followers that replicate.
/// </summary>
[Trait("needs", "replication")]
public sealed class ReassignmentCompletionTests
{
    [Fact]
    public async Task A_kafkajs_reassignment_moves_a_partition_to_another_broker_with_its_records()
    {
        await using var cluster = await E2ECluster.StartCombinedAsync(3);
        await cluster.WaitForLeaderAsync();
        var topic = $"move-{Guid.NewGuid():N}"[..20];
        var via = cluster.Node(1);
        ClusterAdmin.Succeeded(await ClusterAdmin.KafkaJsAsync("create", via.Bootstrap, "--topic", topic, "--partitions", "1", "--rf", "1"), cluster);
        var from = -1;
        await cluster.Until(async () =>
        {
            var t = (await via.MetadataAsync(topic)).Topics.Single();
            from = t.ErrorCode == 0 && t.Partitions.Count == 1 ? t.Partitions[0].LeaderId : -1;
            return from >= 0;
        }, $"{topic} to have a leader");
        var to = cluster.Nodes.Select(n => n.Id).First(id => id != from);

        var lines = string.Concat(Enumerable.Range(0, 100).Select(i => $"record-{i}\n"));
        var produced = await ClientProcess.RunAsync("kcat", ["-b", via.Bootstrap, "-P", "-t", topic, "-X", "acks=all"], lines);
        Assert.True(produced.ExitCode == 0, $"{produced}\n{cluster.Logs}");

        // Add the new replica and wait for the move to complete: both replicas in sync, nothing listed.
        ClusterAdmin.Succeeded(await ClusterAdmin.KafkaJsAsync("reassign", via.Bootstrap, "--topic", topic, "--partition", "0", "--replicas", $"{from},{to}"), cluster);
        await cluster.Until(async () =>
        {
            var listed = ClusterAdmin.Succeeded(await ClusterAdmin.KafkaJsAsync("list-reassignments", via.Bootstrap, "--topic", topic), cluster).Lines.Any();
            var p = (await via.MetadataAsync(topic)).Topics.Single().Partitions.Single();
            return !listed && p.ReplicaNodes.SequenceEqual([from, to]) && p.IsrNodes.Order().SequenceEqual(new[] { from, to }.Order());
        }, $"{topic} to be on [{from},{to}] and in sync");

        // Then take the old replica away: the new one leads and serves every record.
        ClusterAdmin.Succeeded(await ClusterAdmin.KafkaJsAsync("reassign", via.Bootstrap, "--topic", topic, "--partition", "0", "--replicas", $"{to}"), cluster);
        await cluster.Until(async () =>
        {
            foreach (var node in cluster.Running)
            {
                var p = (await node.MetadataAsync(topic)).Topics.Single().Partitions.Single();
                if (!p.ReplicaNodes.SequenceEqual([to]) || p.LeaderId != to)
                    return false;
            }
            return true;
        }, $"{topic} to be led by {to} alone");
        var consumed = await ClientProcess.RunAsync("kcat", ["-b", cluster.Node(to).Bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q"], null);
        Assert.True(consumed.ExitCode == 0, $"{consumed}\n{cluster.Logs}");
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"record-{i}"), consumed.Lines);
    }
}
