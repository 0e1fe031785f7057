using System.Net;
using System.Text.RegularExpressions;
using Broker.Broker.Tests.Cluster;
using Broker.Broker.Tests.EndToEnd;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.Operations;

/// <summary>The cluster page at / rendered by headless Chromium against a three-node cluster with a consumer group.</summary>
[Collection(FaultSettings.Collection)]
public sealed partial class ClusterPageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_page_shows_brokers_partitions_with_their_isr_and_the_lag_of_a_consumer_group()
    {
        await using var cluster = await E2ECluster.StartCombinedAsync(3);
        await cluster.WaitForLeaderAsync();
        var topic = FaultSettings.Unique("page");
        await cluster.CreateTopicAsync(topic, 1);
        await cluster.WaitForFullIsrAsync(topic, 1);
        const string group = "page-group";
        await ProduceAsync(cluster, topic, 20);
        var consumed = await ClientProcess.RunAsync("/usr/bin/python3", [PrometheusText.Script("group_consume.py"), cluster.Bootstrap, group, topic, "20"]);
        Assert.True(consumed.ExitCode == 0, $"{consumed}\n{cluster.Logs}");
        await ProduceAsync(cluster, topic, 7);

        // Groups are shown by the node that coordinates them.
        var node = cluster.Node(await cluster.CoordinatorAsync(group));
        var api = await OperationsHttp.WaitForAsync(node.Host.Address, node.HttpPort, "/api/cluster",
            a => a.Status == HttpStatusCode.OK && a.Body.Contains("\"lag\":7", StringComparison.Ordinal), "the group's lag of 7", () => cluster.Logs);
        var url = $"http://{node.Host.Address}:{node.HttpPort}/";

        var dom = await HeadlessChromium.DumpDomAsync(url, 5000);
        var brokers = Rows(dom, "brokers");
        Assert.True(brokers.Select(r => r[0]).SequenceEqual(["1", "2", "3"]), $"broker rows: {Show(brokers)}\n{api}");
        Assert.All(brokers, r => Assert.Equal("no", r[2]));
        Assert.Single(brokers, r => r[3] == "active");

        var partition = Assert.Single(Rows(dom, "partitions"), r => r[0] == topic);
        Assert.Equal(["1", "2", "3"], partition[4].Split(',').Order());
        Assert.Equal("ok", partition[5]);

        var lag = Assert.Single(Rows(dom, "groups"), r => r[0] == group);
        Assert.Equal([group, "Empty", "0", topic, "0", "20", "7"], lag);

        var artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(artifacts);
        var screenshot = Path.Combine(artifacts, "cluster-page.png");
        await HeadlessChromium.ScreenshotAsync(url, 5000, screenshot);
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is nearly empty");
        output.WriteLine($"screenshot: {screenshot}");
    }

    private static async Task ProduceAsync(E2ECluster cluster, string topic, int records)
    {
        var lines = string.Concat(Enumerable.Range(0, records).Select(i => $"record-{i}\n"));
        var result = await ClientProcess.RunAsync("kcat", ["-b", cluster.Bootstrap, "-P", "-t", topic, "-p", "0", "-X", "acks=all"], lines);
        Assert.True(result.ExitCode == 0, $"{result}\n{cluster.Logs}");
    }

    /// <summary>The cell texts of each body row of the table with id <paramref name="table"/>.</summary>
    private static List<string[]> Rows(string dom, string table)
    {
        var body = Regex.Match(dom, $"<table id=\"{table}\">.*?<tbody>(.*?)</tbody>", RegexOptions.Singleline);
        Assert.True(body.Success, $"no table {table} in the page:\n{dom}");
        return RowPattern().Matches(body.Groups[1].Value)
            .Select(r => CellPattern().Matches(r.Groups[1].Value).Select(c => WebUtility.HtmlDecode(c.Groups[1].Value)).ToArray())
            .ToList();
    }

    private static string Show(List<string[]> rows) => string.Join(" | ", rows.Select(r => string.Join(",", r)));

    [GeneratedRegex("<tr[^>]*>(.*?)</tr>", RegexOptions.Singleline)]
    private static partial Regex RowPattern();

    [GeneratedRegex("<td>(.*?)</td>", RegexOptions.Singleline)]
    private static partial Regex CellPattern();
}
