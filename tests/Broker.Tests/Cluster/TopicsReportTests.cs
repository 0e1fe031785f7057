using Broker.Broker.Tests.Cli;

namespace Broker.Broker.Tests.Cluster;

/// <summary>
/// <c>topics describe</c>'s replication reports (kafka-topics.sh's --under-replicated-partitions,
/// --under-min-isr-partitions, --at-min-isr-partitions, --unavailable-partitions) on three nodes,
/// before and after one of them dies.
/// </summary>
public sealed class TopicsReportTests
{
    private static async Task<string> TopicsAsync(ClusterNode via, params string[] args)
    {
        var root = Path.Combine(Path.GetTempPath(), $"topics-cli-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        try
        {
            var (exitCode, stdout, stderr) = await BrokerProcess.RunAsync(root, ["topics", .. args, "--bootstrap-server", via.Bootstrap]);
            Assert.True(exitCode == 0, $"topics {string.Join(' ', args)} exited {exitCode}\nstdout:\n{stdout}\nstderr:\n{stderr}");
            return stdout;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The (topic, partition) pairs a report prints, one partition line each and no topic lines.</summary>
    private static List<(string Topic, int Partition)> Reported(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
    {
        Assert.StartsWith("\tTopic: ", line);
        var fields = line.Trim('\t').Split('\t').Select(f => f.Split(": ", 2)).ToDictionary(f => f[0], f => f[1]);
        return (fields["Topic"], int.Parse(fields["Partition"], System.Globalization.CultureInfo.InvariantCulture));
    }).Order().ToList();

    [Fact]
    public async Task Replication_reports_list_the_partitions_a_dead_broker_leaves_short()
    {
        await using var cluster = await E2ECluster.StartCombinedAsync(3);
        await cluster.WaitForLeaderAsync();
        var via = cluster.Node(1);
        await TopicsAsync(via, "create", "--topic", "wide", "--partitions", "2", "--replication-factor", "3", "--config", "min.insync.replicas=3");
        await TopicsAsync(via, "create", "--topic", "solo", "--partitions", "3", "--replication-factor", "1");
        var victim = -1;
        await cluster.Until(async () =>
        {
            var solo = (await via.MetadataAsync("solo")).Topics.Single();
            var wide = (await via.MetadataAsync("wide")).Topics.Single();
            victim = solo.ErrorCode == 0 && wide.ErrorCode == 0 && solo.Partitions.Count == 3 && wide.Partitions.Count == 2
                ? solo.Partitions.Single(p => p.PartitionIndex == 0).ReplicaNodes.Single() : -1;
            return victim > 0;
        }, "the topics to be known");
        via = cluster.Nodes.First(n => n.Id != victim);

        Assert.Empty(Reported(await TopicsAsync(via, "describe", "--under-replicated-partitions")));
        Assert.Empty(Reported(await TopicsAsync(via, "describe", "--under-min-isr-partitions")));
        Assert.Empty(Reported(await TopicsAsync(via, "describe", "--unavailable-partitions")));
        Assert.Equal([("wide", 0), ("wide", 1)], Reported(await TopicsAsync(via, "describe", "--topic", "wide", "--at-min-isr-partitions")));

        await cluster.Node(victim).KillAsync();
        var unavailable = cluster.Until(async () =>
            Reported(await TopicsAsync(via, "describe", "--unavailable-partitions")).Contains(("solo", 0)), "solo-0 to be reported unavailable");
        await unavailable;
        // Fenced: out of every ISR, leader of nothing.
        Assert.Equal([("solo", 0)], Reported(await TopicsAsync(via, "describe", "--unavailable-partitions")));
        Assert.Equal([("wide", 0), ("wide", 1)], Reported(await TopicsAsync(via, "describe", "--under-replicated-partitions")));
        Assert.Equal([("solo", 0), ("wide", 0), ("wide", 1)], Reported(await TopicsAsync(via, "describe", "--under-min-isr-partitions")));
        Assert.Empty(Reported(await TopicsAsync(via, "describe", "--topic", "wide", "--at-min-isr-partitions")));
    }
}
