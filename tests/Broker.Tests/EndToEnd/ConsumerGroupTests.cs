using System.Globalization;
using System.Text.RegularExpressions;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>
/// Consumer groups as applications use them: kafkajs and confluent-kafka members in one group (the
/// classic protocol does not care which library a member uses), members joining and leaving while
/// records flow, committed offsets that survive a broker restart, and a static member that restarts
/// without costing the group a rebalance.
/// </summary>
public sealed class ConsumerGroupTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const int Partitions = 6;

    [Fact]
    public async Task Mixed_kafkajs_and_confluent_members_consume_every_record_once_while_members_join_and_leave()
    {
        // Kafka's default group.initial.rebalance.delay.ms (3 s) stays on: the first two members form one generation.
        await using var broker = Watch(await E2EBroker.StartAsync());
        var topic = UniqueTopic("mixed-group");
        const string group = "mixed-group";
        await broker.CreateTopicAsync(topic, Partitions);
        var produced = new List<Delivery>();
        produced.AddRange(await ProduceAsync(broker, topic, 0, 300));

        using var a = GroupMember.Start(ScriptedClient.ConfluentKafka, broker, topic, group, "A (confluent-kafka)");
        using var b = GroupMember.Start(ScriptedClient.KafkaJs, broker, topic, group, "B (kafkajs)");
        GroupMember[] members = [a, b];
        await WaitForConsumedAsync(members, 30, "consumption to start");
        // C joins while A and B are still working through the backlog.
        using var c = GroupMember.Start(ScriptedClient.ConfluentKafka, broker, topic, group, "C (confluent-kafka)");
        members = [a, b, c];
        await c.WaitForAsync(m => m.LastAssignment.Length > 0, "an assignment");
        await WaitForConsumedAsync(members, produced.Count, "the first 300 records");

        produced.AddRange(await ProduceAsync(broker, topic, 300, 300));
        await WaitForConsumedAsync(members, 330, "consumption of the second batch to start");
        var mark = broker.Mark();
        await b.StopAsync(); // leaves mid-stream; A and C take over its partitions
        produced.AddRange(await ProduceAsync(broker, topic, 600, 120));
        await WaitForConsumedAsync(members, produced.Count, "every record");

        ReportRebalanceAfterLeave(broker.LogsSince(mark), group);
        await a.StopAsync();
        await c.StopAsync();

        var consumed = members.SelectMany(m => m.Records).Select(r => (r.Partition, r.Offset)).ToList();
        Assert.True(consumed.Count == consumed.Distinct().Count(), "a record was consumed twice:\n" + string.Join("\n", members.Select(m => m.ToString())));
        Assert.Equal(produced.Select(d => (d.Partition, d.Offset)).Order(), consumed.Order());
        Assert.All(members, m => Assert.NotEmpty(m.Records));
        Assert.True(a.Events.Count(e => e.Event == "assigned") >= 3, "A saw the generations formed as B and C came and B left");

        var ends = produced.GroupBy(d => d.Partition).ToDictionary(g => g.Key, g => g.Max(d => d.Offset) + 1);
        Assert.Equal(ends, await CommittedAsync(broker, group, topic));
        await broker.StopAsync();
        await broker.RestartAsync();
        Assert.Equal(ends, await CommittedAsync(broker, group, topic));

        // A member starting after the restart resumes at the committed offsets: it sees only new records.
        var more = await ProduceAsync(broker, topic, 720, 12);
        using var d = GroupMember.Start(ScriptedClient.KafkaJs, broker, topic, group, "D (kafkajs, after restart)");
        await d.WaitForAsync(m => m.Records.Count >= more.Count, "the records produced after the restart");
        await d.StopAsync();
        Assert.Equal(more.Select(r => (r.Partition, r.Offset)).Order(), d.Records.Select(r => (r.Partition, r.Offset)).Order());
    }

    [Fact]
    public async Task Static_member_restarting_within_its_session_timeout_gets_its_partitions_back_without_a_rebalance()
    {
        await using var broker = Watch(await E2EBroker.StartAsync("group.initial.rebalance.delay.ms=0"));
        var topic = UniqueTopic("static-group");
        const string group = "static-group";
        await broker.CreateTopicAsync(topic, Partitions);
        var produced = await ProduceAsync(broker, topic, 0, 60);
        string[] Static(string instance) => ["--instance-id", instance, "--session-timeout-ms", "30000"];

        var first = GroupMember.Start(ScriptedClient.ConfluentKafka, broker, topic, group, "S1", Static("s1"));
        await first.WaitForAsync(m => m.LastAssignment.Length == Partitions, "all partitions while alone");
        using var second = GroupMember.Start(ScriptedClient.ConfluentKafka, broker, topic, group, "S2", Static("s2"));
        await second.WaitForAsync(m => m.LastAssignment.Length == Partitions / 2, "half of the partitions");
        await first.WaitForAsync(m => m.LastAssignment.Length == Partitions / 2, "the other half");
        await WaitForConsumedAsync([first, second], produced.Count, "the first records");
        var before = first.LastAssignment;
        var secondEvents = Describe(second.Events);

        // A static member does not leave the group when it closes: its instance id holds its place.
        await first.StopAsync();
        first.Dispose();
        using var restarted = GroupMember.Start(ScriptedClient.ConfluentKafka, broker, topic, group, "S1 restarted", Static("s1"));
        await restarted.WaitForAsync(m => m.LastAssignment.Length > 0, "its assignment");
        Assert.Equal(before, restarted.LastAssignment);

        // Records produced now reach both members: the group kept working through the restart.
        var more = await ProduceAsync(broker, topic, 60, 60);
        await second.WaitForAsync(m => m.Records.Count(r => r.Offset >= 10) >= 30, "its share of the new records");
        await restarted.WaitForAsync(m => m.Records.Count >= 30, "its share of the new records");
        Assert.Equal(secondEvents, Describe(second.Events)); // S2 was never revoked nor reassigned
        Assert.Equal(["assigned"], restarted.Events.Select(e => e.Event));
        Assert.DoesNotContain("Preparing to rebalance group static-group (generation 2)", broker.Logs);
        await restarted.StopAsync();
        await second.StopAsync();
        Assert.Equal(more.Select(r => (r.Partition, r.Offset)).Order(),
            second.Records.Concat(restarted.Records).Where(r => r.Offset >= 10).Select(r => (r.Partition, r.Offset)).Order());
    }

    [Fact]
    public async Task A_crashed_members_partitions_move_to_the_others_once_its_session_times_out()
    {
        await using var broker = Watch(await E2EBroker.StartAsync("group.initial.rebalance.delay.ms=0"));
        var topic = UniqueTopic("crash-group");
        const string group = "crash-group";
        await broker.CreateTopicAsync(topic, Partitions);
        await ProduceAsync(broker, topic, 0, 60);
        string[] shortSession = ["--session-timeout-ms", "6000"];

        using var survivor = GroupMember.Start(ScriptedClient.ConfluentKafka, broker, topic, group, "survivor", shortSession);
        await survivor.WaitForAsync(m => m.LastAssignment.Length == Partitions, "all partitions while alone");
        using var doomed = GroupMember.Start(ScriptedClient.KafkaJs, broker, topic, group, "doomed (kafkajs)", "--session-timeout", "6000");
        await doomed.WaitForAsync(m => m.LastAssignment.Length == Partitions / 2, "half of the partitions");
        await survivor.WaitForAsync(m => m.LastAssignment.Length == Partitions / 2, "the other half");
        await WaitForConsumedAsync([survivor, doomed], 60, "the first records");

        doomed.Crash();
        var after = await ProduceAsync(broker, topic, 60, 60);
        await survivor.WaitForAsync(m => m.LastAssignment.Length == Partitions, "the crashed member's partitions");
        await survivor.WaitForAsync(m => m.Records.Count(r => r.Offset >= 10) >= after.Count, "every record produced after the crash");
        await survivor.StopAsync();
        Assert.Equal(after.Select(d => (d.Partition, d.Offset)).Order(),
            survivor.Records.Where(r => r.Offset >= 10).Select(r => (r.Partition, r.Offset)).Order());
        Assert.Contains($"of group {group} missed its session timeout (6000 ms)", broker.Logs);
    }

    private static List<string> Describe(List<(string Event, int[] Partitions)> events) =>
        events.Select(e => $"{e.Event} [{string.Join(",", e.Partitions)}]").ToList();

    /// <summary>Records spread evenly over the partitions; values v0, v1, ... from <paramref name="first"/>.</summary>
    private static Task<List<Delivery>> ProduceAsync(E2EBroker broker, string topic, int first, int count) =>
        ScriptedClient.ConfluentKafka.ProduceAsync(broker, topic,
            Enumerable.Range(first, count).Select(i => new OutRecord($"k{i}", $"v{i}", Partition: i % Partitions)));

    private static async Task WaitForConsumedAsync(GroupMember[] members, int count, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (members.Sum(m => m.Records.Count) < count)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{what}: {members.Sum(m => m.Records.Count)} of {count} records consumed.\n"
                    + string.Join("\n", members.Select(m => m.ToString())));
            await Task.Delay(50);
        }
    }

    private static async Task<Dictionary<int, long>> CommittedAsync(E2EBroker broker, string group, string topic)
    {
        using var connection = await broker.ConnectAsync();
        var response = await connection.RequestAsync<OffsetFetchResponse>(new OffsetFetchRequest
        {
            Groups = [new OffsetFetchRequest.OffsetFetchRequestGroup { GroupId = group, Topics = null }],
        }, 8);
        var fetched = Assert.Single(response.Groups);
        Assert.Equal((short)ErrorCode.None, fetched.ErrorCode);
        return fetched.Topics.Where(t => t.Name == topic).SelectMany(t => t.Partitions).ToDictionary(p => p.PartitionIndex, p => p.CommittedOffset);
    }

    /// <summary>
    /// From the LeaveGroup to the remaining members' SyncGroup completing in the next generation, as
    /// the broker logged it. Reported, not asserted: it is bounded by the members' heartbeat interval.
    /// </summary>
    private void ReportRebalanceAfterLeave(string logs, string group)
    {
        var left = Regex.Match(logs, @"^(\S+) info: \S+ Member \S+ left group " + Regex.Escape(group) + "$", RegexOptions.Multiline);
        var stable = Regex.Match(logs, @"^(\S+) info: \S+ Group " + Regex.Escape(group) + @" is stable at generation (\d+) with 2 members", RegexOptions.Multiline);
        if (!left.Success || !stable.Success)
        {
            Output.WriteLine("rebalance after leave: not found in the broker log");
            return;
        }
        var time = (string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture);
        Output.WriteLine($"REBALANCE 3 -> 2 members after LeaveGroup: {(time(stable.Groups[1].Value) - time(left.Groups[1].Value)).TotalMilliseconds:F0} ms (generation {stable.Groups[2].Value})");
    }
}
