using System.Net;
using Broker.Broker.Tests.EndToEnd;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.Operations;

/// <summary>/metrics after a known load from third-party clients (kcat produces, confluent-kafka consumes in a group).</summary>
public sealed class MetricsTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const int Records = 50;
    private const int ValueBytes = 100;

    [Fact]
    public async Task Counters_and_gauges_match_a_known_produce_and_consume_and_the_scrape_parses_as_prometheus_text()
    {
        await using var broker = Watch(await E2EBroker.StartAsync());
        const string topic = "metered";
        await broker.CreateTopicAsync(topic, 1);

        var lines = string.Concat(Enumerable.Range(0, Records).Select(i => new string((char)('a' + i % 26), ValueBytes) + "\n"));
        Clients.Succeeded(await Clients.KcatAsync(broker, lines, "-P", "-t", topic, "-p", "0"), broker);
        var consumed = await ClientProcess.RunAsync("/usr/bin/python3",
            [PrometheusText.Script("group_consume.py"), broker.Bootstrap, "metered-group", topic, Records.ToString()]);
        Assert.True(consumed.ExitCode == 0, $"{consumed}\n{broker.Logs}");

        var scrape = await OperationsHttp.GetAsync("127.0.0.1", broker.HttpPort, "/metrics");
        Assert.True(scrape is { Status: HttpStatusCode.OK }, $"/metrics: {scrape}\n{broker.Logs}");
        var metrics = await PrometheusText.ParseAsync(scrape.Body);
        var t = ("topic", topic);

        Assert.Equal(Records, metrics.Value("kafka_server_brokertopicmetrics_messagesin_total", t));
        var bytesIn = metrics.Value("kafka_server_brokertopicmetrics_bytesin_total", t) ?? 0;
        // Record batches carry the values plus framing: at least the values, at most a few times them.
        Assert.InRange(bytesIn, Records * ValueBytes, Records * ValueBytes * 3);
        // The group read every record once (a refetch could only add).
        Assert.True(metrics.Value("kafka_server_brokertopicmetrics_bytesout_total", t) >= Records * ValueBytes);
        Assert.True(metrics.Value("kafka_network_requestmetrics_requests_total", ("request", "Produce")) >= 1);
        Assert.True(metrics.Value("kafka_network_requestmetrics_requests_total", ("request", "JoinGroup")) >= 1);
        Assert.True(metrics.Value("kafka_network_requestmetrics_totaltimems_count", ("request", "Fetch")) >= 1);
        Assert.Equal(metrics.Value("kafka_network_requestmetrics_totaltimems_count", ("request", "Produce")),
            metrics.Value("kafka_network_requestmetrics_totaltimems_bucket", ("request", "Produce"), ("le", "+Inf")));

        var group = ("consumergroup", "metered-group");
        Assert.Equal(Records, metrics.Value("kafka_consumergroup_current_offset", group, t, ("partition", "0")));
        Assert.Equal(0, metrics.Value("kafka_consumergroup_lag", group, t, ("partition", "0")));
        Assert.True(metrics.Value("kafka_log_log_size", t, ("partition", "0")) >= bytesIn);
        Assert.Equal(Records, metrics.Value("kafka_log_log_logendoffset", t, ("partition", "0")));

        Assert.Equal(1, metrics.Value("kafka_controller_kafkacontroller_activecontrollercount"));
        Assert.Equal(0, metrics.Value("kafka_controller_kafkacontroller_offlinepartitionscount"));
        Assert.Equal(0, metrics.Value("kafka_server_replicamanager_underreplicatedpartitions"));
        // The topic's partition and the 50 of __consumer_offsets, all led here.
        Assert.Equal(51, metrics.Value("kafka_server_replicamanager_leadercount"));
        Assert.Equal(51, metrics.Value("kafka_server_replicamanager_partitioncount"));
        Assert.Equal(1, metrics.Value("kafka_server_raftmetrics_current_leader"));
        Assert.True(metrics.Value("kafka_server_raftmetrics_high_watermark") > 0);
        Assert.True(metrics.Value("process_cpu_seconds_total") > 0);

        // The Grafana dashboard shipped in the repository asks only for names this scrape has.
        var dashboard = File.ReadAllText(Path.Combine(Clients.RepoRoot, "docs", "grafana", "broker-dashboard.json"));
        var used = System.Text.RegularExpressions.Regex.Matches(dashboard, @"\b(?:kafka|process)_[a-z_]+").Select(m => m.Value).Distinct().ToList();
        Assert.NotEmpty(used);
        var scraped = metrics.Samples.Select(s => s.Name).ToHashSet();
        Assert.All(used, name => Assert.Contains(name, scraped));
    }
}
