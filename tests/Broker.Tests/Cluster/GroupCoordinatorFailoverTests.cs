using Xunit.Abstractions;

namespace Broker.Broker.Tests.Cluster;

/// <summary>
/// Issue 15, "group survives its coordinator": a consumer group with a kafkajs and a confluent-kafka
/// member keeps consuming and committing while the broker that coordinates it is killed with SIGKILL.
/// <c>__consumer_offsets</c> has RF 3, so the coordinator moves with the leadership of the group's
/// offsets partition and the new one knows every commit: committed offsets never go back, every record
/// is consumed at least once, and at the end the committed offsets are the end offsets.
/// </summary>
[Collection(FaultSettings.Collection)]
public sealed class GroupCoordinatorFailoverTests(ITestOutputHelper output)
{
    private const int Partitions = 4;

    /// <summary>RF 3 for <c>__consumer_offsets</c>; 5 partitions instead of 50 keep its creation quick.</summary>
    private static readonly string[] Settings = [.. FaultSettings.FastFencing, "offsets.topic.replication.factor=3", "offsets.topic.num.partitions=5"];

    [Fact]
    public async Task A_kafkajs_and_confluent_kafka_group_keeps_its_committed_offsets_through_kill_9_of_its_coordinator()
    {
        await using var cluster = await E2ECluster.StartCombinedAsync(3, Settings);
        await cluster.WaitForLeaderAsync();
        var topic = FaultSettings.Unique("grp");
        var group = FaultSettings.Unique("group");
        await cluster.CreateTopicAsync(topic, Partitions);
        await cluster.WaitForFullIsrAsync(topic, Partitions);
        using var producer = AckedProducer.Start(cluster.Bootstrap, topic, Partitions, rate: 100);
        using var confluent = GroupClient.ConfluentMember(cluster.Bootstrap, topic, group);
        using var kafkajs = GroupClient.KafkaJsMember(cluster.Bootstrap, topic, group);
        using var watcher = GroupClient.CommittedWatcher(cluster.Bootstrap, topic, group, Partitions);
        var members = new[] { confluent, kafkajs };
        var deadline = TimeSpan.FromSeconds(60);

        foreach (var member in members)
            await member.WaitForAsync(m => m.Consumed.Any(), deadline, "records consumed");
        await watcher.WaitForAsync(w => w.CommittedSamples.Any(s => s.Offsets.All(o => o > 0)), deadline, "a commit on every partition");

        var coordinator = await cluster.CoordinatorAsync(group);
        var before = watcher.CommittedSamples.Last().Offsets;
        await cluster.Node(coordinator).KillAsync();
        // Taken once the process is gone: what is answered later comes from another coordinator.
        var killedAt = FaultSettings.NowMs();
        // Commits go on past what was committed at the kill, on every partition, through a new coordinator.
        await watcher.WaitForAsync(w => w.CommittedSamples.Any(s => s.AtMs > killedAt && s.Offsets.Zip(before).All(p => p.First > p.Second)),
            deadline, $"commits past {string.Join(",", before)} after node {coordinator} (the coordinator) was killed");
        var resumed = watcher.CommittedSamples.First(s => s.AtMs > killedAt && s.Offsets.Zip(before).All(p => p.First > p.Second));
        output.WriteLine($"killed coordinator node {coordinator}; commits advanced on every partition {resumed.AtMs - killedAt} ms later; " +
                         $"new coordinator {await cluster.CoordinatorAsync(group)}");
        await cluster.Node(coordinator).RestartAsync();
        await cluster.WaitForFullIsrAsync(topic, Partitions);

        await producer.StopAsync();
        Assert.True(producer.Problems.Count == 0, $"The producer reported errors: {producer.Summary()}");
        var read = await AckedRecordsCheck.ConsumeAllAsync(cluster.Bootstrap, topic);
        Assert.True(AckedRecordsCheck.Problems(producer.Acks, read) is null, AckedRecordsCheck.Problems(producer.Acks, read));
        var ends = Enumerable.Range(0, Partitions).Select(p => read.EndOffsets[p]).ToArray();
        await watcher.WaitForAsync(w => w.CommittedSamples.Any(s => s.Offsets.SequenceEqual(ends)), deadline,
            $"committed offsets to reach the end offsets {string.Join(",", ends)}");
        foreach (var member in members)
            await member.StopAsync();
        await watcher.StopAsync();

        // Committed offsets never go back, nor vanish, in anything the coordinators answered.
        var samples = watcher.CommittedSamples.ToArray();
        for (var p = 0; p < Partitions; p++)
        {
            var highest = long.MinValue;
            foreach (var (at, offsets) in samples)
            {
                Assert.True(offsets[p] >= highest, $"partition {p}: committed offset {offsets[p]} at {at} after {highest} (kill at {killedAt})\n{watcher}");
                highest = offsets[p];
            }
        }
        // Every record consumed at least once by one member or the other.
        var consumed = members.SelectMany(m => m.Consumed).ToHashSet();
        for (var p = 0; p < Partitions; p++)
        {
            var partition = p;
            var missing = Enumerable.Range(0, (int)ends[p]).Where(o => !consumed.Contains((partition, o))).Take(10).ToArray();
            Assert.True(missing.Length == 0, $"partition {p}: offsets {string.Join(",", missing)} were never consumed\n{confluent}\n{kafkajs}");
        }
        output.WriteLine($"{producer.Acks.Count} records, end offsets {string.Join(",", ends)}, consumed {members.Sum(m => m.Consumed.Count())} times in all");
    }
}
