using System.Text.Json.Nodes;
using Broker.Perf;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>
/// The bench/Perf tool counts right: what it says it produced is what kcat reads back, and what it
/// says it consumed is what was produced. Correctness only; its timings are never asserted.
/// </summary>
public sealed class PerfToolTests(SharedBroker shared, ITestOutputHelper output) : EndToEndTest(output), IClassFixture<SharedBroker>
{
    private readonly E2EBroker _broker = shared.Broker;

    [Theory]
    [InlineData("none", "1")]
    [InlineData("lz4", "-1")]
    public async Task Produced_records_are_all_stored_and_consumed_back(string codec, string acks)
    {
        Watch(_broker);
        var topic = UniqueTopic($"perf-{codec}");

        var produced = await RunAsync("produce", "--topic", topic, "--partitions", "3", "--num-records", "3000",
            "--record-size", "200", "--batch-size", "4096", "--acks", acks, "--compression", codec);
        Assert.Equal(3000, (long)produced["records"]!);
        Assert.Equal(0, (long)produced["recordsFailed"]!);
        Assert.Equal(3000 * 200, (long)produced["bytes"]!);
        Assert.Equal(3000, (long)produced["latencyMs"]!["count"]!);

        // A third-party reader sees exactly the records the tool reported, on every partition.
        var kcat = await Clients.KcatAsync(_broker, null, "-C", "-t", topic, "-e", "-q", "-f", "%p %s\\n");
        var lines = kcat.Lines.ToList();
        Assert.Equal(3000, lines.Count);
        Assert.Equal([0, 1, 2], lines.Select(l => int.Parse(l.Split(' ')[0])).Distinct().Order());
        Assert.All(lines, l => Assert.Equal(200, l.Split(' ', 2)[1].Length));

        var consumed = await RunAsync("consume", "--topic", topic, "--num-records", "3000", "--consumers", "2", "--check-crcs");
        Assert.Equal(3000, (long)consumed["records"]!);
        Assert.Equal(3000 * 200, (long)consumed["bytes"]!);
        Assert.Null(consumed["error"]);
    }

    [Fact]
    public async Task Consumer_counts_records_another_client_produced()
    {
        Watch(_broker);
        var topic = UniqueTopic("perf-kcat");
        await _broker.CreateTopicAsync(topic, 2);
        var values = Enumerable.Range(0, 500).Select(i => $"value-{i:D5}").ToList(); // 11 bytes each
        await Clients.KcatAsync(_broker, string.Join("\n", values) + "\n", "-P", "-t", topic, "-X", "linger.ms=20");

        var consumed = await RunAsync("consume", "--topic", topic, "--timeout", "2s");
        Assert.Equal(500, (long)consumed["records"]!);
        Assert.Equal(500 * 11, (long)consumed["bytes"]!);
    }

    /// <summary>Runs the tool in-process and returns its JSON summary, failing with its stderr on a non-zero exit.</summary>
    private async Task<JsonNode> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await PerfRunner.RunAsync([.. args, "--bootstrap", _broker.Bootstrap, "--no-progress"], stdout, stderr);
        Output.WriteLine($"perf {string.Join(' ', args)}\n{stderr}");
        Assert.True(exit == 0, $"perf {string.Join(' ', args)} exited {exit}:\n{stderr}\n{stdout}");
        return JsonNode.Parse(stdout.ToString())!;
    }
}
