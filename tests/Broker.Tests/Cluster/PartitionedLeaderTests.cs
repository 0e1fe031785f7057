using Broker.Broker.Tests.EndToEnd;
using Broker.Protocol;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.Cluster;

/// <summary>
/// Issue 15, "partition a leader": three combined nodes, each in its own network namespace; the
/// leader of a partition is cut off from the other two with iptables while clients on the host still
/// reach it. It must not acknowledge a single acks=all write while cut off (its followers cannot fetch
/// and only the controller it cannot reach could shrink its ISR); the majority elects a new leader; after
/// healing the cluster converges and every acknowledged record is there once. Two leaders accepting
/// acks=all writes at one epoch would show as an acknowledged record lost, as a write acknowledged by
/// the isolated leader, or as leader epochs going down along a replica's log.
/// </summary>
[Collection(FaultSettings.Collection)]
public sealed class PartitionedLeaderTests(ITestOutputHelper output)
{
    [FactWhenNetworkNamespaces]
    public async Task An_isolated_leader_acknowledges_no_acks_all_write_and_after_healing_nothing_acknowledged_is_lost()
    {
        using var network = NodeNamespaces.Create(1, 2, 3);
        await using var cluster = await E2ECluster.StartAsync([(1, "broker,controller"), (2, "broker,controller"), (3, "broker,controller")],
            network.Host, FaultSettings.FastFencing);
        await cluster.WaitForLeaderAsync();
        var topic = FaultSettings.Unique("iso");
        await cluster.CreateTopicAsync(topic, 1);
        var leader = cluster.Node((await cluster.WaitForFullIsrAsync(topic, 1))[0]);
        var majority = cluster.Nodes.Where(n => n != leader).ToArray();
        using var producer = AckedProducer.Start(cluster.Bootstrap, topic, 1);
        await producer.WaitForAckAsync(_ => true, TimeSpan.FromSeconds(30), "before the isolation");

        network.Isolate(leader.Id);
        var isolatedAt = FaultSettings.NowMs();
        // Raw acks=all writes to the isolated leader, until the majority has another leader and once more after.
        var answers = new List<ErrorCode>();
        var replaced = false;
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!replaced)
        {
            Assert.True(DateTime.UtcNow < until, $"The majority did not elect another leader within 60 s\n{cluster.Logs}");
            replaced = (await ClusterPartitions.ViewAsync(majority[0], topic))?.Single().Leader is { } l && l >= 0 && l != leader.Id;
            using var connection = await leader.ConnectAsync();
            var answer = await RawProduce.SendAsync(connection, topic, RawProduce.Batch([$"isolated-{answers.Count}"]), acks: -1);
            answers.Add((ErrorCode)answer.ErrorCode);
            Assert.True(answer.ErrorCode != 0, $"Node {leader.Id}, cut off from its followers, acknowledged an acks=all write at offset {answer.BaseOffset}\n{cluster.Logs}");
            await Task.Delay(200);
        }
        output.WriteLine($"node {leader.Id} isolated; its answers to acks=all writes meanwhile: {string.Join(", ", answers)}; " +
                         $"node {majority[0].Id} reports another leader {FaultSettings.NowMs() - isolatedAt} ms after the isolation");

        network.Heal(leader.Id);
        var healedAt = FaultSettings.NowMs();
        await cluster.WaitForFullIsrAsync(topic, 1, TimeSpan.FromSeconds(90));
        await producer.WaitForAckAsync(a => a.AtMs > healedAt, TimeSpan.FromSeconds(60), "after healing");
        await producer.StopAsync();
        Assert.True(producer.Problems.Count == 0, $"The producer reported errors: {producer.Summary()}");
        await ReplicaChecks.AssertConvergedAsync(cluster, topic, 1);
        var read = await AckedRecordsCheck.ConsumeAllAsync(cluster.Bootstrap, topic);
        output.WriteLine($"{producer.Acks.Count} records acknowledged, {AckedRecordsCheck.Lost(producer.Acks, read)} lost");
        Assert.True(AckedRecordsCheck.Problems(producer.Acks, read) is null, AckedRecordsCheck.Problems(producer.Acks, read));
    }
}
