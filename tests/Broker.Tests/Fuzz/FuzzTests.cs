using System.Diagnostics;
using System.Text.Json.Nodes;
using Broker.Broker.Tests.EndToEnd;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.Fuzz;

/// <summary>
/// Mutated request frames at a live broker while librdkafka clients use it: the broker must stay up,
/// keep every acknowledged record exactly once, answer a healthy request at the end and keep its
/// memory bounded. FUZZ_FRAMES, FUZZ_SEED and FUZZ_WORKERS override the defaults (tests/fuzz-soak.sh
/// runs it longer); FUZZ_APIS=all also fuzzes the APIs left out below.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const int DefaultFrames = 100_000;
    private const int DefaultSeed = 20261203;
    private const int DefaultWorkers = 16;
    private const long RssGrowthBound = 1L << 30;

    /// <summary>
    /// APIs that legitimately create or remove cluster resources or features: fuzzing them at random
    /// creates topics and partitions without bound (per-request and per-broker partition limits are a
    /// separate piece of work), deletes the fuzz topic, or unregisters the broker itself.
    /// </summary>
    private static readonly ApiKey[] ChangeTheCluster =
        [ApiKey.CreateTopics, ApiKey.CreatePartitions, ApiKey.DeleteTopics, ApiKey.UpdateFeatures, ApiKey.UnregisterBroker];

    [Fact]
    public async Task The_broker_survives_mutated_frames_while_a_producer_and_a_consumer_keep_working()
    {
        var frames = Setting("FUZZ_FRAMES", DefaultFrames);
        var seed = Setting("FUZZ_SEED", DefaultSeed);
        var workers = Setting("FUZZ_WORKERS", DefaultWorkers);
        var everything = Environment.GetEnvironmentVariable("FUZZ_APIS") == "all";

        // No auto-creation: fuzzed Metadata requests would otherwise create a topic per mutated name.
        await using var broker = Watch(await E2EBroker.StartAsync("auto.create.topics.enable=false"));
        const string fuzzTopic = "fuzz-a";
        var clientTopic = UniqueTopic("clients");
        await broker.CreateTopicAsync(fuzzTopic, 2);
        await broker.CreateTopicAsync(clientTopic, 1);

        var served = await ServedAsync(broker);
        var excluded = everything ? [] : ChangeTheCluster.Select(k => (short)k).ToHashSet();
        var corpus = SeedCorpus.Build(served.Where(s => !excluded.Contains(s.ApiKey)), fuzzTopic)
            .Where(s => !excluded.Contains(s.ApiKey)).ToList();
        var mutator = new FrameMutator(corpus, [.. served.Select(s => s.ApiKey).Where(k => !excluded.Contains(k))], excluded);

        using var producer = ScriptedClient.ConfluentKafka.Start(broker, "acked-load", clientTopic,
            "--idempotent", "--acks", "all", "--linger-ms", "5", "--window", "5", "--value-bytes", "100", "--timeout", "60");
        using var consumer = ClientProcess.Start("kcat", ["-b", broker.Bootstrap, "-C", "-t", clientTopic, "-o", "beginning", "-u", "-q", "-f", "%o %s\n"]);
        await producer.WaitForLinesAsync(l => l.Count >= 50, TimeSpan.FromSeconds(60), "50 acknowledgements before fuzzing");
        var rssBefore = broker.ResidentBytes();

        var clock = Stopwatch.StartNew();
        var stats = await new FuzzDriver(broker.Port, mutator, seed).RunAsync(frames, workers);
        clock.Stop();
        Assert.True(broker.ProcessAlive, $"the broker died during the fuzzing\n{broker.Logs}");
        var rssAfter = broker.ResidentBytes();

        await producer.WriteAndCloseInputAsync("stop\n");
        var produced = await producer.WaitForExitAsync(TimeSpan.FromSeconds(90));
        var acked = produced.Lines.Select(l => JsonNode.Parse(l)!).ToList();
        Assert.All(acked, a => Assert.True(a["error"] is null, $"a delivery failed: {a.ToJsonString()}"));
        var ackedValues = acked.Select(a => (string)a["value"]!).ToHashSet();
        Assert.Equal(acked.Count, ackedValues.Count);

        // The consumer has been reading all along: it must get every acknowledged record, once.
        var consumed = await consumer.WaitForLinesAsync(l => l.Count >= acked.Count, TimeSpan.FromSeconds(60), $"{acked.Count} records consumed");
        var values = consumed.Select(l => l.Split(' ', 2)[1]).ToList();
        Assert.Equal(values.Count, values.Distinct().Count());
        Assert.Empty(ackedValues.Except(values));

        using (var healthy = await broker.ConnectAsync())
        {
            var versions = await healthy.RequestAsync<ApiVersionsResponse>(new ApiVersionsRequest { ClientSoftwareName = "e2e", ClientSoftwareVersion = "1" }, 3);
            Assert.Equal((short)ErrorCode.None, versions.ErrorCode);
            var metadata = await healthy.RequestAsync<MetadataResponse>(new MetadataRequest { Topics = null }, 12);
            Assert.Single(metadata.Brokers);
        }

        var failures = broker.Logs.Split('\n').Count(l => l.Contains("fail:", StringComparison.Ordinal));
        Output.WriteLine($"fuzz: seed {seed}, {stats.Frames} frames from {corpus.Count} seeds in {clock.Elapsed.TotalSeconds:F0} s over {stats.Connections} connections; " +
            $"answered {stats.Answered}, closed {stats.Closed}, unanswered {stats.Unanswered}; broker alive; " +
            $"RSS {rssBefore >> 20} MB before, {rssAfter >> 20} MB after; {acked.Count} records acknowledged and consumed once; {failures} error-level log lines");
        Assert.True(rssAfter - rssBefore < RssGrowthBound, $"RSS grew from {rssBefore >> 20} MB to {rssAfter >> 20} MB");
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) && value > 0 ? value : fallback;

    private static async Task<List<(short ApiKey, short Min, short Max)>> ServedAsync(E2EBroker broker)
    {
        using var connection = await broker.ConnectAsync();
        var response = await connection.RequestAsync<ApiVersionsResponse>(new ApiVersionsRequest { ClientSoftwareName = "fuzz", ClientSoftwareVersion = "1" }, 3);
        return response.ApiKeys.Select(k => (k.ApiKey, k.MinVersion, k.MaxVersion)).ToList();
    }
}
