using System.Text.Json.Nodes;
using Broker.Protocol;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>
/// Idempotent producers of the third-party clients whose requests get retried: by the test-only
/// fault injection that appends a produce request and then drops the connection instead of
/// answering, and by killing the broker mid-stream. Afterwards the log holds every record exactly
/// once, in the order produced, with no gap, and each delivery report names the offset the record has.
/// </summary>
public sealed class IdempotentProducerTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const string DropEveryFourth = "test.fault.injection.drop.produce.response.every=4";

    public static TheoryData<string> ClientNames => new() { "confluent-kafka", "kafkajs" };

    [Theory]
    [MemberData(nameof(ClientNames))]
    public async Task Produce_requests_whose_responses_are_lost_are_retried_without_duplicates_or_gaps(string clientName)
    {
        await using var broker = Watch(await E2EBroker.StartAsync(DropEveryFourth));
        var topic = UniqueTopic("idem-retry");
        await broker.CreateTopicAsync(topic, 1);
        var (client, count, args) = clientName == "kafkajs"
            // One request per record, so the drops land between records.
            ? (ScriptedClient.KafkaJs, 30, new[] { "--idempotent", "--each" })
            // Small batches and up to five requests in flight: a dropped connection takes several with it.
            // librdkafka backs off its reconnects exponentially; capped, the many drops stay quick.
            : (ScriptedClient.ConfluentKafka, 200, ["--idempotent", "--batch-messages", "4", "--linger-ms", "5", "--timeout", "60",
                "--set", "reconnect.backoff.max.ms=100"]);
        var values = Enumerable.Range(0, count).Select(i => $"r{i:D5}").ToList();

        var result = Clients.Succeeded(await client.RunAsync(broker, "produce", topic, Clients.ToJsonLines(values.Select(v => new OutRecord(null, v))), args), broker);

        Assert.Contains("test fault injection", broker.Logs);
        AssertExactlyOnceInOrder(values, Clients.ParseDeliveries(result), await client.ConsumeAsync(broker, topic));
    }

    /// <summary>
    /// kcat exits when its only broker connection drops, so it runs without dropped responses:
    /// it proves InitProducerId and sequenced batches from librdkafka's command-line producer.
    /// </summary>
    [Fact]
    public async Task Kcat_with_idempotence_enabled_writes_each_line_once_in_order()
    {
        await using var broker = Watch(await E2EBroker.StartAsync());
        var topic = UniqueTopic("idem-kcat");
        await broker.CreateTopicAsync(topic, 1);
        var values = Enumerable.Range(0, 200).Select(i => $"line{i:D4}").ToList();

        await Clients.KcatAsync(broker, string.Join("\n", values) + "\n", "-P", "-t", topic, "-p", "0",
            "-X", "enable.idempotence=true", "-X", "batch.num.messages=5", "-X", "linger.ms=5");

        var consumed = Clients.ParseKcatJson(await Clients.KcatAsync(broker, null, "-C", "-t", topic, "-e", "-J", "-q"));
        Assert.Equal(values, consumed.Select(c => c.Value));
        Assert.Equal(Enumerable.Range(0, values.Count).Select(i => (long)i), consumed.Select(c => c.Offset));
        // The batches carried kcat's producer id and sequences 0-199.
        using var connection = await broker.ConnectAsync();
        var producer = Assert.Single((await ProducerStateWireTests.DescribeProducersAsync(connection, topic, 0)).ActiveProducers);
        Assert.Equal((0, values.Count - 1), (producer.ProducerEpoch, producer.LastSequence));
    }

    /// <summary>
    /// The kill lands with batches in flight: some were written before it and are retried after the
    /// restart, when the broker knows them only from its producer state snapshot plus the log it
    /// replayed. Every offset must then hold the value produced in that position.
    /// </summary>
    [Fact]
    public async Task An_idempotent_producer_keeps_exactly_once_order_across_kill_9()
    {
        // Small segments: the load rolls several, so recovery starts from a roll's snapshot.
        await using var broker = Watch(await E2EBroker.StartAsync("log.segment.bytes=1048576"));
        var topic = UniqueTopic("idem-crash");
        await broker.CreateTopicAsync(topic, 1);
        using var producer = ScriptedClient.ConfluentKafka.Start(broker, "acked-load", topic,
            "--idempotent", "--acks", "all", "--linger-ms", "2", "--value-bytes", "512", "--timeout", "60");

        var beforeKill = (await producer.WaitForLinesAsync(l => l.Count >= 3000, TimeSpan.FromSeconds(60), "3000 acknowledgements")).Count;
        await broker.KillAsync();
        await broker.RestartAsync();
        await producer.WaitForLinesAsync(l => l.Count >= beforeKill + 2000, TimeSpan.FromSeconds(60), "2000 acknowledgements after the restart");
        await producer.WriteAndCloseInputAsync("stop\n");
        var finished = await producer.WaitForExitAsync(TimeSpan.FromSeconds(90));
        Assert.True(finished.ExitCode == 0, $"{finished}\n{broker.Logs}");

        var acked = finished.Lines.Select(l => JsonNode.Parse(l)!).ToList();
        Assert.All(acked, a => Assert.True(a["error"] is null, $"a delivery failed: {a.ToJsonString()}"));
        var log = await ScriptedClient.ConfluentKafka.ConsumeAsync(broker, topic);
        Output.WriteLine($"{acked.Count} acknowledged ({beforeKill} before the kill), {log.Count} in the log; producer: {finished.Stderr}");
        Assert.Equal(Enumerable.Range(0, log.Count).Select(i => (long)i), log.Select(r => r.Offset));
        var misplaced = log.Where(r => !r.Value!.StartsWith($"v{r.Offset:D7}.", StringComparison.Ordinal)).Take(5).ToList();
        Assert.True(misplaced.Count == 0, $"offsets holding another record than the one produced in that position: {string.Join(", ", misplaced.Select(r => $"{r.Offset}={r.Value![..8]}"))}");
        Assert.All(acked, a => Assert.Equal($"v{(long)a["offset"]!:D7}", ((string)a["value"]!)[..8]));
        Assert.True(log.Count >= acked.Count);
    }

    /// <summary>
    /// Deterministic counterpart of the kill test: five batches are written, the broker goes down
    /// (gracefully: state from the snapshot written at close; killed: rebuilt from the log), and each
    /// batch sent again is recognised as a retry and answered with its original offset.
    /// </summary>
    [Theory]
    [InlineData("sigterm")]
    [InlineData("kill -9")]
    public async Task Retries_of_the_last_five_batches_are_recognised_after_a_restart(string how)
    {
        await using var broker = Watch(await E2EBroker.StartAsync());
        var topic = UniqueTopic("idem-restart");
        await broker.CreateTopicAsync(topic, 1);
        long pid;
        using (var connection = await broker.ConnectAsync())
        {
            pid = await ProducerStateWireTests.InitProducerIdAsync(connection);
            for (var seq = 0; seq < 5; seq++)
                Assert.Equal(ErrorCode.None, (ErrorCode)(await RawProduce.SendAsync(connection, topic, RawProduce.Batch([$"m{seq}"], pid, 0, seq))).ErrorCode);
        }

        if (how == "sigterm")
            await broker.StopAsync();
        else
            await broker.KillAsync();
        await broker.RestartAsync();

        using var again = await broker.ConnectAsync();
        for (var seq = 0; seq < 5; seq++)
        {
            var retry = await RawProduce.SendAsync(again, topic, RawProduce.Batch([$"m{seq}"], pid, 0, seq));
            Assert.Equal((ErrorCode.None, (long)seq), ((ErrorCode)retry.ErrorCode, retry.BaseOffset));
        }
        var next = await RawProduce.SendAsync(again, topic, RawProduce.Batch(["m5"], pid, 0, 5));
        Assert.Equal((ErrorCode.None, 5L), ((ErrorCode)next.ErrorCode, next.BaseOffset));
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, (ErrorCode)(await RawProduce.SendAsync(again, topic, RawProduce.Batch(["gap"], pid, 0, 9))).ErrorCode);
        var consumed = Clients.ParseKcatJson(await Clients.KcatAsync(broker, null, "-C", "-t", topic, "-e", "-J", "-q"));
        Assert.Equal(["m0", "m1", "m2", "m3", "m4", "m5"], consumed.Select(c => c.Value));
    }

    [Fact]
    public async Task An_idle_producer_expires_after_producer_id_expiration_ms_and_may_then_start_anywhere()
    {
        await using var broker = Watch(await E2EBroker.StartAsync(
            "producer.id.expiration.ms=1000", "producer.id.expiration.check.interval.ms=100"));
        var topic = UniqueTopic("idem-expiry");
        await broker.CreateTopicAsync(topic, 1);
        using var connection = await broker.ConnectAsync();
        var pid = await ProducerStateWireTests.InitProducerIdAsync(connection);
        Assert.Equal((short)ErrorCode.None, (await RawProduce.SendAsync(connection, topic, RawProduce.Batch(["a"], pid, 0, 0))).ErrorCode);
        Assert.Single((await ProducerStateWireTests.DescribeProducersAsync(connection, topic, 0)).ActiveProducers);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await ProducerStateWireTests.DescribeProducersAsync(connection, topic, 0)).ActiveProducers.Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the producer was not expired within 30 s\n{broker.Logs}");
            await Task.Delay(50);
        }

        // Forgotten: a sequence that would have been a gap is now a new start.
        Assert.Equal((short)ErrorCode.None, (await RawProduce.SendAsync(connection, topic, RawProduce.Batch(["b"], pid, 0, 42))).ErrorCode);
        Assert.Contains("Expired the state of 1 idle producer id(s)", broker.Logs);
    }

    [Fact]
    public async Task Producer_ids_are_not_handed_out_again_after_a_restart()
    {
        await using var broker = Watch(await E2EBroker.StartAsync());
        long before;
        using (var connection = await broker.ConnectAsync())
            before = await ProducerStateWireTests.InitProducerIdAsync(connection);

        await broker.StopAsync();
        await broker.RestartAsync();

        using var again = await broker.ConnectAsync();
        var after = await ProducerStateWireTests.InitProducerIdAsync(again);
        // The block the first run took is spent: the new run starts the next one.
        Assert.True(after >= before - before % 1000 + 1000, $"id {after} after the restart, {before} before");
    }

    private static void AssertExactlyOnceInOrder(List<string> produced, List<Delivery> deliveries, List<ConsumedRecord> log)
    {
        Assert.Equal(produced, log.Select(r => r.Value));
        Assert.Equal(Enumerable.Range(0, produced.Count).Select(i => (long)i), log.Select(r => r.Offset));
        // A retried batch is answered with the offsets it was first written at.
        var offsetOf = log.ToDictionary(r => r.Value!, r => r.Offset);
        Assert.All(deliveries, d => Assert.Equal(offsetOf[d.Value!], d.Offset));
    }
}
