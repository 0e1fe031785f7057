using Xunit.Abstractions;

namespace Broker.Broker.Tests.Cluster;

/// <summary>
/// Issue 15, "controlled shutdown": SIGTERM (what Kubernetes sends) to a partition leader while an
/// idempotent acks=all producer writes. The broker hands its leaderships over before it exits, the
/// producer sees only retriable errors (none reach the application), nothing acknowledged is lost,
/// and the process exits 0.
/// </summary>
[Collection(FaultSettings.Collection)]
public sealed class ControlledShutdownTests(ITestOutputHelper output)
{
    private const int Partitions = 3;

    [Fact]
    public async Task Sigterm_to_a_leader_under_load_moves_its_leaderships_before_it_exits_0_and_loses_nothing()
    {
        await using var cluster = await E2ECluster.StartCombinedAsync(3, FaultSettings.FastFencing);
        await cluster.WaitForLeaderAsync();
        var topic = FaultSettings.Unique("term");
        await cluster.CreateTopicAsync(topic, Partitions);
        var leaders = await cluster.WaitForFullIsrAsync(topic, Partitions);
        using var producer = AckedProducer.Start(cluster.Bootstrap, topic, Partitions);
        for (var p = 0; p < Partitions; p++)
        {
            var partition = p;
            await producer.WaitForAckAsync(a => a.Partition == partition, TimeSpan.FromSeconds(30), $"on partition {partition}");
        }

        var victim = cluster.Node(leaders[0]);
        var others = cluster.Nodes.Where(n => n.Id != victim.Id).ToArray();
        var led = Enumerable.Range(0, Partitions).Where(p => leaders[p] == victim.Id).ToArray();
        var termAt = FaultSettings.NowMs();
        var stopping = victim.StopAsync();
        // Seen from another node (the new leaders know first): every partition led elsewhere, and only
        // afterwards is the victim still found alive.
        var movedFirst = false;
        while (!stopping.IsCompleted && !movedFirst)
        {
            foreach (var other in others)
            {
                var view = await ClusterPartitions.ViewAsync(other, topic);
                movedFirst |= view is not null && view.All(p => p.Leader >= 0 && p.Leader != victim.Id) && victim.IsAlive;
            }
            if (!movedFirst)
                await Task.WhenAny(stopping, Task.Delay(5));
        }
        var exitCode = await stopping;
        Assert.True(exitCode == 0, $"node {victim.Id} exited with {exitCode} after SIGTERM\n{cluster.Logs}");
        Assert.True(movedFirst, $"node {victim.Id} exited before another node reported its partitions led elsewhere\n{cluster.Logs}");

        foreach (var partition in led)
        {
            var ack = await producer.WaitForAckAsync(a => a.Partition == partition && a.AtMs > termAt, TimeSpan.FromSeconds(30),
                $"on partition {partition} after node {victim.Id} was stopped");
            output.WriteLine($"partition {partition}: first acknowledged produce {ack.AtMs - termAt} ms after SIGTERM to its leader");
        }
        await victim.RestartAsync();
        await cluster.WaitForFullIsrAsync(topic, Partitions);
        await producer.StopAsync();
        Assert.True(producer.Problems.Count == 0, $"The producer reported errors: {producer.Summary()}");
        await ReplicaChecks.AssertConvergedAsync(cluster, topic, Partitions);
        var read = await AckedRecordsCheck.ConsumeAllAsync(cluster.Bootstrap, topic);
        output.WriteLine($"{producer.Acks.Count} records acknowledged, {AckedRecordsCheck.Lost(producer.Acks, read)} lost");
        Assert.True(AckedRecordsCheck.Problems(producer.Acks, read) is null, AckedRecordsCheck.Problems(producer.Acks, read));
    }
}
