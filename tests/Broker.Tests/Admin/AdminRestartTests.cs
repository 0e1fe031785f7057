using Broker.Broker.Tests.EndToEnd;
using Xunit.Abstractions;
using static Broker.Broker.Tests.Admin.AdminClients;

namespace Broker.Broker.Tests.Admin;

/// <summary>What the admin APIs changed is still so after the node restarts.</summary>
public sealed class AdminRestartTests(ITestOutputHelper output) : EndToEndTest(output)
{
    [Fact]
    public async Task Configs_partitions_deletions_and_deleted_records_survive_a_restart()
    {
        await using var broker = Watch(await E2EBroker.StartAsync());
        string kept = UniqueTopic("kept"), dropped = UniqueTopic("dropped");
        await broker.CreateTopicAsync(kept, 1);
        await broker.CreateTopicAsync(dropped, 1);
        await Clients.KcatAsync(broker, "a\nb\nc\nd\ne\n", "-P", "-t", kept, "-p", "0");

        Assert.Null(Error(await ConfluentOneAsync(broker, "alter-configs", "--name", kept, "--set", "retention.ms=3600000")));
        Assert.Null(Error(await ConfluentOneAsync(broker, "create-partitions", "--topic", kept, "--count", "3")));
        Assert.Null(Error(await KafkaJsOneAsync(broker, "delete-records", "--topic", kept, "--partition", "0", "--offset", "3")));
        Assert.Null(Error(Assert.Single(await ConfluentAsync(broker, "delete", "--topic", dropped))));

        await broker.StopAsync();
        await broker.RestartAsync();

        var topics = await ConfluentAsync(broker, "list-topics");
        Assert.DoesNotContain(topics, t => (string?)t["topic"] == dropped);
        Assert.Equal(3, Assert.Single(topics, t => (string?)t["topic"] == kept)["partitions"]!.AsArray().Count);
        var retention = Assert.Single(await ConfluentAsync(broker, "describe-configs", "--name", kept), e => (string?)e["name"] == "retention.ms");
        Assert.Equal("3600000", (string?)retention["value"]);
        var offsets = Assert.Single(await KafkaJsAsync(broker, "offsets", "--topic", kept), o => (int)o["partition"]! == 0);
        Assert.Equal((3, 5), ((int)offsets["low"]!, (int)offsets["high"]!));
    }
}
