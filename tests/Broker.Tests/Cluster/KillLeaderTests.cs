using Xunit.Abstractions;

namespace Broker.Broker.Tests.Cluster;

/// <summary>
/// Issue 15, "kill the leader": three combined nodes, a topic with RF 3 and min.insync.replicas=2,
/// an idempotent acks=all confluent-kafka producer sending all the time, and round after round the
/// leader of one of its partitions killed with SIGKILL and started again. Every acknowledged record
/// must survive, once, in order, byte for byte the same on every replica. The rounds default to 10;
/// <c>KILL_LEADER_ROUNDS</c> raises them for the soak (tests/soak/kill-leader.sh).
/// </summary>
[Collection(FaultSettings.Collection)]
public sealed class KillLeaderTests(ITestOutputHelper output)
{
    private const int Partitions = 3;

    private static int Rounds => int.TryParse(Environment.GetEnvironmentVariable("KILL_LEADER_ROUNDS"), out var rounds) && rounds > 0 ? rounds : 10;

    [Fact]
    public async Task Every_acknowledged_record_survives_rounds_of_kill_9_of_the_partition_leader_on_every_replica()
    {
        await using var cluster = await E2ECluster.StartCombinedAsync(3, FaultSettings.FastFencing);
        await cluster.WaitForLeaderAsync();
        var topic = FaultSettings.Unique("kill");
        await cluster.CreateTopicAsync(topic, Partitions);
        await cluster.WaitForFullIsrAsync(topic, Partitions);
        using var producer = AckedProducer.Start(cluster.Bootstrap, topic, Partitions);

        var recoveries = new List<long>();
        for (var round = 0; round < Rounds; round++)
        {
            // The previous victim must be back in every ISR: killing another leader before would leave one replica.
            var leaders = await cluster.WaitForFullIsrAsync(topic, Partitions);
            var roundStart = FaultSettings.NowMs();
            for (var p = 0; p < Partitions; p++)
            {
                var partition = p;
                await producer.WaitForAckAsync(a => a.Partition == partition && a.AtMs >= roundStart, TimeSpan.FromSeconds(30),
                    $"on partition {partition} before round {round}");
            }

            var victim = leaders[round % Partitions];
            await cluster.Node(victim).KillAsync();
            // Taken once the process is gone, so no report counted below can come from the dead leader's last answers.
            var killedAt = FaultSettings.NowMs();
            // The partitions it led are blocked until a new leader takes them; the first report after the kill on each ends the outage.
            var recovered = killedAt;
            foreach (var partition in Enumerable.Range(0, Partitions).Where(p => leaders[p] == victim))
            {
                var ack = await producer.WaitForAckAsync(a => a.Partition == partition && a.AtMs > killedAt, TimeSpan.FromSeconds(60),
                    $"on partition {partition} after node {victim} was killed in round {round}");
                recovered = Math.Max(recovered, ack.AtMs);
            }
            recoveries.Add(recovered - killedAt);
            output.WriteLine($"round {round + 1}: killed node {victim} (leader of partitions {string.Join(",", Enumerable.Range(0, Partitions).Where(p => leaders[p] == victim))}); " +
                             $"first acknowledged produce on them {recovered - killedAt} ms after the kill");
            await cluster.Node(victim).RestartAsync();
        }

        await producer.StopAsync();
        Assert.True(producer.Problems.Count == 0, $"The producer reported errors: {producer.Summary()}");
        await cluster.WaitForFullIsrAsync(topic, Partitions);
        await ReplicaChecks.AssertConvergedAsync(cluster, topic, Partitions);
        var read = await AckedRecordsCheck.ConsumeAllAsync(cluster.Bootstrap, topic);
        var acks = producer.Acks;
        output.WriteLine($"{Rounds} rounds, {acks.Count} records acknowledged, {AckedRecordsCheck.Lost(acks, read)} lost; " +
                         $"kill to first produce: {string.Join(", ", recoveries)} ms (max {recoveries.Max()} ms)");
        Assert.True(AckedRecordsCheck.Problems(acks, read) is null, AckedRecordsCheck.Problems(acks, read));
    }

    /// <summary>
    /// With Kafka's default 9 s session timeout: a killed partition leader (not the active controller)
    /// closes its heartbeat connection, and the controller fences it once the short grace passes
    /// rather than when its session would have run out; acks=all produce resumes on the new leader.
    /// </summary>
    [Fact]
    public async Task A_killed_leader_is_fenced_when_its_heartbeat_connection_closes_not_when_its_session_runs_out()
    {
        await using var cluster = await E2ECluster.StartCombinedAsync(3);
        var controller = await cluster.WaitForLeaderAsync();
        var topic = FaultSettings.Unique("fast");
        await cluster.CreateTopicAsync(topic, Partitions);
        var leaders = await cluster.WaitForFullIsrAsync(topic, Partitions);
        var partition = Array.FindIndex(leaders, l => l != controller);
        Assert.True(partition >= 0, "every partition is led by the active controller");
        var victim = leaders[partition];
        using var producer = AckedProducer.Start(cluster.Bootstrap, topic, Partitions);
        var before = FaultSettings.NowMs();
        await producer.WaitForAckAsync(a => a.Partition == partition && a.AtMs >= before, TimeSpan.FromSeconds(30), $"on partition {partition}");

        await cluster.Node(victim).KillAsync();
        var killedAt = FaultSettings.NowMs();
        var ack = await producer.WaitForAckAsync(a => a.Partition == partition && a.AtMs > killedAt, TimeSpan.FromSeconds(60),
            $"on partition {partition} after its leader {victim} was killed");
        output.WriteLine($"killed node {victim} (leader of partition {partition}; controller {controller}): first acknowledged produce {ack.AtMs - killedAt} ms after the kill");
        await producer.StopAsync();
        Assert.Contains($"Fencing broker {victim} ", cluster.Node(controller).Logs);
        Assert.Contains("its heartbeat connection closed and it did not heartbeat again", cluster.Node(controller).Logs);
        Assert.True(producer.Problems.Count == 0, $"The producer reported errors: {producer.Summary()}");
    }
}
