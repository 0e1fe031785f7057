using System.Text.Json.Nodes;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>
/// Consumers that assign partitions themselves and use the group only to store offsets: their
/// commits carry no generation or member id, and Kafka keeps them for partitions that exist.
/// </summary>
public sealed class StandaloneCommitTests(GroupBroker fixture, ITestOutputHelper output) : EndToEndTest(output), IClassFixture<GroupBroker>
{
    private readonly E2EBroker _broker = fixture.Broker;

    [Fact]
    public async Task A_standalone_confluent_consumer_commits_to_existing_partitions_and_is_refused_for_a_missing_topic()
    {
        Watch(_broker);
        var topic = UniqueTopic("standalone");
        var group = UniqueTopic("standalone-group");
        await _broker.CreateTopicAsync(topic, 2);

        var committed = await CommitAsync(group, (topic, 0, 7), (topic, 1, 3));
        Assert.Equal(((string?)null, "7,3"), committed);

        // Kafka answers UNKNOWN_TOPIC_OR_PARTITION for a topic the cluster does not have, and keeps nothing for it.
        var missing = UniqueTopic("no-such-topic");
        committed = await CommitAsync(group, (topic, 0, 9), (missing, 0, 5));
        Assert.Equal(("UNKNOWN_TOPIC_OR_PART", "9,-1001"), committed);
        committed = await CommitAsync(group, (topic, 5, 1));
        Assert.Equal(("UNKNOWN_TOPIC_OR_PART", "-1001"), committed);
    }

    [Fact]
    public async Task OffsetDelete_answers_each_partition_of_a_missing_topic_with_UNKNOWN_TOPIC_OR_PARTITION()
    {
        using var connection = await Watch(_broker).ConnectAsync();
        var topic = UniqueTopic("offset-delete");
        var group = UniqueTopic("offset-delete-group");
        await _broker.CreateTopicAsync(topic, 1);
        await CommitAsync(group, (topic, 0, 4));

        var response = await connection.RequestAsync<OffsetDeleteResponse>(new OffsetDeleteRequest
        {
            GroupId = group,
            Topics =
            [
                new() { Name = "missing-" + topic, Partitions = [new() { PartitionIndex = 0 }] },
                new() { Name = topic, Partitions = [new() { PartitionIndex = 0 }, new() { PartitionIndex = 3 }] },
            ],
        }, 0);
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        Assert.Equal([ErrorCode.UnknownTopicOrPartition, ErrorCode.None, ErrorCode.UnknownTopicOrPartition],
            response.Topics.SelectMany(t => t.Partitions).Select(p => (ErrorCode)p.ErrorCode));
        Assert.Equal(("UNKNOWN_TOPIC_OR_PART", "-1001"), await CommitAsync(group, ("missing-" + topic, 0, 1)));
        Assert.Equal(((string?)null, "6"), await CommitAsync(group, (topic, 0, 6)));
    }

    /// <summary>One synchronous commit by a confluent-kafka consumer that never joins: its error and the offsets then committed, comma-separated.</summary>
    private async Task<(string? Error, string Committed)> CommitAsync(string group, params (string Topic, int Partition, long Offset)[] offsets)
    {
        var stdin = string.Concat(offsets.Select(o => new JsonObject { ["topic"] = o.Topic, ["partition"] = o.Partition, ["offset"] = o.Offset }.ToJsonString() + "\n"));
        var result = Clients.Succeeded(await ScriptedClient.ConfluentKafka.RunAsync(_broker, "standalone-commit", offsets[0].Topic, stdin, "--group", group), _broker);
        var lines = result.Lines.Select(l => JsonNode.Parse(l)!).ToList();
        return ((string?)lines[0]["commitError"], string.Join(",", lines.Skip(1).Select(l => (long)l["committed"]!)));
    }
}
