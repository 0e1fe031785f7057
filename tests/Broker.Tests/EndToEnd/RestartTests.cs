using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>A node stopped gracefully or killed outright comes back with everything it acknowledged.</summary>
public sealed class RestartTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private static readonly ScriptedClient Python = ScriptedClient.ConfluentKafka;

    [Fact]
    public async Task Topics_and_records_survive_a_sigterm_restart_and_offsets_continue()
    {
        await using var broker = Watch(await E2EBroker.StartAsync());
        var keyed = UniqueTopic("restart-keyed");
        var auto = UniqueTopic("restart-auto");
        await broker.CreateTopicAsync(keyed, 3);
        var first = await Python.ProduceAsync(broker, keyed, Enumerable.Range(0, 30).Select(i => new OutRecord($"k{i % 7}", $"before {i}")));
        await Clients.KcatAsync(broker, "one\ntwo\n", "-P", "-t", auto);

        await broker.StopAsync();
        await broker.RestartAsync();

        var listing = await Clients.KcatAsync(broker, null, "-L");
        Assert.Contains($"topic \"{keyed}\" with 3 partitions", listing.Stdout);
        Assert.Contains($"topic \"{auto}\" with 1 partitions", listing.Stdout);
        var kept = await Python.ConsumeAsync(broker, keyed);
        Assert.Equal(first.Select(d => (d.Partition, d.Offset, d.Key, d.Value)).Order(), kept.Select(c => (c.Partition, c.Offset, c.Key, c.Value)).Order());
        Assert.Equal(["one", "two"], (await Python.ConsumeAsync(broker, auto)).Select(c => c.Value));

        var second = await Python.ProduceAsync(broker, keyed, Enumerable.Range(0, 30).Select(i => new OutRecord($"k{i % 7}", $"after {i}")));
        foreach (var partition in second.GroupBy(d => d.Partition))
        {
            var next = first.Count(d => d.Partition == partition.Key);
            Assert.Equal(Enumerable.Range(next, partition.Count()).Select(o => (long)o), partition.Select(d => d.Offset));
        }
        await Clients.KcatAsync(broker, "three\n", "-P", "-t", auto);
        var all = Clients.ParseKcatJson(await Clients.KcatAsync(broker, null, "-C", "-t", auto, "-e", "-J", "-q"));
        Assert.Equal([(0L, "one"), (1L, "two"), (2L, "three")], all.Select(r => (r.Offset, r.Value!)));
    }

    [Fact]
    public async Task Acknowledged_topic_creations_survive_kill_9()
    {
        await using var broker = Watch(await E2EBroker.StartAsync());
        var created = UniqueTopic("created");
        var auto = UniqueTopic("auto");
        await broker.CreateTopicAsync(created, 3);
        await Clients.KcatAsync(broker, "x\n", "-P", "-t", auto);
        await broker.KillAsync();

        await broker.RestartAsync();
        var listing = await Clients.KcatAsync(broker, null, "-L");
        Assert.Contains($"topic \"{created}\" with 3 partitions", listing.Stdout);
        Assert.Contains($"topic \"{auto}\" with 1 partitions", listing.Stdout);
        Assert.Equal(["x"], (await Python.ConsumeAsync(broker, auto)).Select(r => r.Value));
    }

    /// <summary>
    /// A consumer parked in a long Fetch must not hold the stop up: the broker's grace period for
    /// open connections is 10 s, and a wait that ignores the stop would use all of it.
    /// </summary>
    [Fact]
    public async Task Sigterm_stops_promptly_while_a_consumer_waits_for_records()
    {
        await using var broker = Watch(await E2EBroker.StartAsync());
        var topic = UniqueTopic("stop-tail");
        await Clients.KcatAsync(broker, "only\n", "-P", "-t", topic);
        // -u: kcat block-buffers a piped stdout, and the test watches lines as they come.
        using var consumer = ClientProcess.Start("kcat", ["-b", broker.Bootstrap, "-C", "-t", topic, "-o", "beginning", "-f", "%s\n", "-q", "-u"]);
        await consumer.WaitForLinesAsync(l => l.Contains("only"), ClientProcess.DefaultDeadline, "the record");

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await broker.StopAsync();
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(8), $"stopping took {stopping.Elapsed}\n{broker.Logs}");
    }

    /// <summary>
    /// acks=all promises that an acknowledged record is in the log. A confluent-kafka producer prints
    /// every acknowledgement; the broker is killed with SIGKILL mid-stream and restarted while the
    /// producer keeps retrying; afterwards every acknowledged record must be at the offset it was
    /// acknowledged with, in the order it was produced.
    /// </summary>
    [Fact]
    public async Task Records_acknowledged_with_acks_all_survive_kill_9()
    {
        // Small segments, so the load rolls several and the kill may land on any of them.
        await using var broker = Watch(await E2EBroker.StartAsync("log.segment.bytes=1048576"));
        var topic = UniqueTopic("crash");
        await broker.CreateTopicAsync(topic, 1);
        using var producer = Python.Start(broker, "acked-load", topic, "--acks", "all", "--linger-ms", "2", "--value-bytes", "1024", "--timeout", "60");

        var beforeKill = (await producer.WaitForLinesAsync(l => l.Count >= 1000, TimeSpan.FromSeconds(60), "1000 acknowledgements")).Count;
        await broker.KillAsync();
        await broker.RestartAsync();
        // The producer reconnects on its own; more acknowledgements prove offsets continue after recovery.
        await producer.WaitForLinesAsync(l => l.Count >= beforeKill + 1000, TimeSpan.FromSeconds(60), "1000 acknowledgements after the restart");
        await producer.WriteAndCloseInputAsync("stop\n");
        var finished = await producer.WaitForExitAsync(TimeSpan.FromSeconds(90));
        Assert.True(finished.ExitCode == 0, $"{finished}\n{broker.Logs}");

        var acked = new List<(long Offset, string Value)>();
        foreach (var line in finished.Lines)
        {
            var json = JsonNode.Parse(line)!;
            // Records in flight at the kill may fail for good; only acknowledged ones carry a promise.
            if (json["offset"] is { } offset)
                acked.Add(((long)offset, (string)json["value"]!));
        }
        Assert.True(acked.Count >= beforeKill + 1000, finished.ToString());
        Output.WriteLine($"{acked.Count} records acknowledged, {beforeKill} of them before the kill; producer: {finished.Stderr}");

        var log = (await Python.ConsumeAsync(broker, topic)).ToDictionary(r => r.Offset, r => r.Value);
        var missing = acked.Where(a => !log.TryGetValue(a.Offset, out var v) || v != a.Value).ToList();
        Assert.True(missing.Count == 0,
            $"{missing.Count} of {acked.Count} acknowledged records are not at their offsets, first: {string.Join(", ", missing.Take(5))}");
        // With one request in flight retries cannot reorder: acknowledged values rise with their offsets.
        var byOffset = acked.OrderBy(a => a.Offset).Select(a => a.Value).ToList();
        Assert.Equal(byOffset.Order(StringComparer.Ordinal), byOffset);
        Assert.True(Directory.GetFiles(Path.Combine(broker.DataDir, $"{topic}-0"), "*.log").Length > 1, "the load should have rolled segments");
    }

    /// <summary>
    /// A crash in the middle of a write leaves part of a batch at the end of the active segment.
    /// Recovery cuts it off: the records before it are served, and appends continue at the next offset.
    /// A graceful restart comes first, so a clean-shutdown marker left from it must not skip recovery.
    /// </summary>
    [Fact]
    public async Task A_torn_batch_at_the_log_tail_is_cut_off_after_a_crash()
    {
        await using var broker = Watch(await E2EBroker.StartAsync());
        var topic = UniqueTopic("torn");
        await Clients.KcatAsync(broker, "one\ntwo\n", "-P", "-t", topic);
        await broker.StopAsync();
        await broker.RestartAsync();
        await Clients.KcatAsync(broker, "three\n", "-P", "-t", topic);
        await broker.KillAsync();

        // Half of a copy of the first batch: a plausible header whose body never made it to disk.
        var segment = Directory.GetFiles(Path.Combine(broker.DataDir, $"{topic}-0"), "*.log").Order(StringComparer.Ordinal).Last();
        var bytes = File.ReadAllBytes(segment);
        var firstBatchLength = 12 + System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8));
        using (var file = new FileStream(segment, FileMode.Append))
            file.Write(bytes, 0, firstBatchLength / 2);

        await broker.RestartAsync();
        await Clients.KcatAsync(broker, "four\n", "-P", "-t", topic);
        var records = Clients.ParseKcatJson(await Clients.KcatAsync(broker, null, "-C", "-t", topic, "-e", "-J", "-q"));
        Assert.Equal([(0L, "one"), (1L, "two"), (2L, "three"), (3L, "four")], records.Select(r => (r.Offset, r.Value!)));
    }
}
