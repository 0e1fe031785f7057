using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>
/// Consumer groups seen through admin clients: kafkajs lists, describes, reads and sets offsets and
/// deletes groups; librdkafka's group listing reports states and members.
/// </summary>
public sealed class GroupAdminTests(GroupBroker fixture, ITestOutputHelper output) : EndToEndTest(output), IClassFixture<GroupBroker>
{
    private readonly E2EBroker _broker = fixture.Broker;

    [Fact]
    public async Task Admin_clients_see_group_states_members_and_offsets_and_delete_only_empty_groups()
    {
        Watch(_broker);
        var topic = UniqueTopic("group-admin");
        string live = UniqueTopic("live"), idle = UniqueTopic("idle");
        await _broker.CreateTopicAsync(topic, 3);
        await ScriptedClient.ConfluentKafka.ProduceAsync(_broker, topic, Enumerable.Range(0, 30).Select(i => new OutRecord($"k{i}", $"v{i}", Partition: i % 3)));

        using (var once = GroupMember.Start(ScriptedClient.ConfluentKafka, _broker, topic, idle, "idle member"))
        {
            await once.WaitForAsync(m => m.Records.Count == 30, "every record");
            await once.StopAsync();
        }
        using var member = GroupMember.Start(ScriptedClient.ConfluentKafka, _broker, topic, live, "live member");
        await member.WaitForAsync(m => m.Records.Count == 30, "every record");

        var listed = await KafkaJsAsync("list");
        Assert.Contains(listed, g => (string?)g["group"] == live && (string?)g["protocolType"] == "consumer");
        Assert.Contains(listed, g => (string?)g["group"] == idle);

        var described = Assert.Single(await KafkaJsAsync("describe", "--group", live, "--topic", topic));
        Assert.Equal(("Stable", "roundrobin"), ((string?)described["state"], (string?)described["protocol"]));
        Assert.Equal([0, 1, 2], Assert.Single(described["members"]!.AsArray())!["partitions"]!.AsArray().Select(p => (int)p!));
        Assert.Equal("Empty", (string?)Assert.Single(await KafkaJsAsync("describe", "--group", idle, "--topic", topic))["state"]);

        var librdkafka = Assert.Single(await ListWithLibrdkafkaAsync(live));
        Assert.Equal(("Stable", "consumer", "roundrobin", 1), ((string?)librdkafka["state"], (string?)librdkafka["protocolType"],
            (string?)librdkafka["protocol"], librdkafka["members"]!.AsArray().Count));

        Assert.Equal([(0, 10L), (1, 10L), (2, 10L)], await OffsetsAsync(idle, topic));
        Assert.Null((string?)Assert.Single(await KafkaJsAsync("set-offset", "--group", idle, "--topic", topic, "--partition", "1", "--offset", "4"))["error"]);
        Assert.Equal([(0, 10L), (1, 4L), (2, 10L)], await OffsetsAsync(idle, topic));

        Assert.Equal("NON_EMPTY_GROUP", (string?)Assert.Single(await KafkaJsAsync("delete", "--group", live))["error"]);
        Assert.Null((string?)Assert.Single(await KafkaJsAsync("delete", "--group", idle))["error"]);
        Assert.Equal([(0, -1L), (1, -1L), (2, -1L)], await OffsetsAsync(idle, topic));
        Assert.DoesNotContain(await KafkaJsAsync("list"), g => (string?)g["group"] == idle);

        // The live group kept consuming throughout.
        await ScriptedClient.ConfluentKafka.ProduceAsync(_broker, topic, [new OutRecord("late", "late", Partition: 0)]);
        await member.WaitForAsync(m => m.Records.Any(r => r.Value == "late"), "the record produced after the admin calls");
        await member.StopAsync();
    }

    private async Task<List<JsonNode>> KafkaJsAsync(string command, params string[] args)
    {
        var result = Clients.Succeeded(await ClientProcess.RunAsync("node",
            [Path.Combine(Clients.ScriptDirectory, "kafkajs_group_admin.js"), command, "--bootstrap", _broker.Bootstrap, .. args],
            environment: new Dictionary<string, string> { ["NODE_PATH"] = Clients.NodeModules }), _broker);
        return result.Lines.Select(l => JsonNode.Parse(l)!).ToList();
    }

    private async Task<List<(int, long)>> OffsetsAsync(string group, string topic) =>
        (await KafkaJsAsync("offsets", "--group", group, "--topic", topic))
            .Select(j => ((int)j["partition"]!, (long)j["offset"]!)).OrderBy(p => p.Item1).ToList();

    private async Task<List<JsonNode>> ListWithLibrdkafkaAsync(string group)
    {
        var result = Clients.Succeeded(await ClientProcess.RunAsync(Clients.Python,
            [Path.Combine(Clients.ScriptDirectory, "confluent_list_groups.py"), "--bootstrap", _broker.Bootstrap, "--group", group]), _broker);
        return result.Lines.Select(l => JsonNode.Parse(l)!).ToList();
    }
}
