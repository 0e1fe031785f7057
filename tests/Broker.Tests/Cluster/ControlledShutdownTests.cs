using Xunit.Abstractions;

namespace Broker.Broker.Tests.Cluster;

/// <summary>
/// Issue 15, "controlled shutdown": SIGTERM (what Kubernetes sends) to a partition leader while an
/// idempotent acks=all producer writes. The broker hands its leaderships over before it exits, the
/// producer sees only retriable errors (none reach the application), nothing acknowledged is lost,
/// and the process exits 0.
/// </summary>
[Collection(FaultSettings.Collection)]
public sealed class ControlledShutdownTests(ITestOutputHelper testOutput)
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
        var exitCode = await victim.StopAsync();
        Assert.True(exitCode == 0, $"node {victim.Id} exited with {exitCode} after SIGTERM\n{cluster.Logs}");
        // The victim handed each of its leaderships over (the controller's moves reached its own image,
        // which the controller waits for before it lets the broker go) before it stopped serving.
        var output = victim.Logs;
        var stoppedAt = output.IndexOf($"Node {victim.Id} stopped", StringComparison.Ordinal);
        Assert.True(stoppedAt >= 0, $"node {victim.Id} did not log its stop\n{cluster.Logs}");
        // It said what it waited for, within the default controlled.shutdown.timeout.ms, and that the controller confirmed it.
        Assert.Contains($"Controlled shutdown: waiting up to 20000 ms for the controller to move the leadership of {led.Length} replicated partition(s)", output);
        Assert.Contains("Controlled shutdown confirmed by the controller after", output);
        foreach (var partition in led)
        {
            var handedOver = output.IndexOf($"{topic}-{partition}: no longer leader", StringComparison.Ordinal);
            Assert.True(handedOver >= 0 && handedOver < stoppedAt,
                $"node {victim.Id} stopped before it handed over the leadership of {topic}-{partition}\n{cluster.Logs}");
        }

        foreach (var partition in led)
        {
            var ack = await producer.WaitForAckAsync(a => a.Partition == partition && a.AtMs > termAt, TimeSpan.FromSeconds(30),
                $"on partition {partition} after node {victim.Id} was stopped");
            testOutput.WriteLine($"partition {partition}: first acknowledged produce {ack.AtMs - termAt} ms after SIGTERM to its leader");
        }
        await victim.RestartAsync();
        await cluster.WaitForFullIsrAsync(topic, Partitions);
        await producer.StopAsync();
        Assert.True(producer.Problems.Count == 0, $"The producer reported errors: {producer.Summary()}");
        await ReplicaChecks.AssertConvergedAsync(cluster, topic, Partitions);
        var read = await AckedRecordsCheck.ConsumeAllAsync(cluster.Bootstrap, topic);
        testOutput.WriteLine($"{producer.Acks.Count} records acknowledged, {AckedRecordsCheck.Lost(producer.Acks, read)} lost");
        Assert.True(AckedRecordsCheck.Problems(producer.Acks, read) is null, AckedRecordsCheck.Problems(producer.Acks, read));
    }
}
