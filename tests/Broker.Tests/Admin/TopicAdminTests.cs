using Broker.Broker.Tests.EndToEnd;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;
using Xunit.Abstractions;
using static Broker.Broker.Tests.Admin.AdminClients;

namespace Broker.Broker.Tests.Admin;

/// <summary>DeleteTopics and CreatePartitions as confluent-kafka, kafkajs and raw requests see them.</summary>
public sealed class TopicAdminTests(SharedBroker shared, ITestOutputHelper output) : EndToEndTest(output), IClassFixture<SharedBroker>
{
    private readonly E2EBroker _broker = shared.Broker;

    [Fact]
    public async Task Confluent_deletes_a_topic_and_its_partition_directories_and_names_unknown_topics()
    {
        Watch(_broker);
        var topic = UniqueTopic("delete");
        Assert.Null(Error(await ConfluentOneAsync(_broker, "create", "--topic", topic, "--partitions", "2")));
        Assert.True(Directory.Exists(Path.Combine(_broker.DataDir, $"{topic}-1")));

        var missing = UniqueTopic("never-created");
        var results = await ConfluentAsync(_broker, "delete", "--topic", topic, "--topic", missing);
        Assert.Null(Error(Assert.Single(results, r => (string?)r["topic"] == topic)));
        Assert.Equal("UNKNOWN_TOPIC_OR_PART", Error(Assert.Single(results, r => (string?)r["topic"] == missing)));

        var listed = await ConfluentAsync(_broker, "list-topics");
        Assert.DoesNotContain(listed, t => (string?)t["topic"] == topic);
        Assert.False(Directory.Exists(Path.Combine(_broker.DataDir, $"{topic}-0")));
        Assert.False(Directory.Exists(Path.Combine(_broker.DataDir, $"{topic}-1")));
    }

    [Fact]
    public async Task Confluent_grows_a_topic_and_validate_only_leaves_it_unchanged()
    {
        Watch(_broker);
        var topic = UniqueTopic("grow");
        await _broker.CreateTopicAsync(topic, 2);

        Assert.Null(Error(await ConfluentOneAsync(_broker, "create-partitions", "--topic", topic, "--count", "6", "--validate-only")));
        Assert.Equal(new[] { 0, 1 }, await PartitionsAsync(topic));

        Assert.Null(Error(await ConfluentOneAsync(_broker, "create-partitions", "--topic", topic, "--count", "4")));
        Assert.Equal(new[] { 0, 1, 2, 3 }, await PartitionsAsync(topic));

        Assert.Null(Error(await ConfluentOneAsync(_broker, "create-partitions", "--topic", topic, "--count", "5", "--assign", "1")));
        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, await PartitionsAsync(topic));
    }

    [Theory]
    [InlineData("shrink", "1", null, "INVALID_PARTITIONS", "would not be an increase")]
    [InlineData("same count", "2", null, "INVALID_PARTITIONS", "already has 2 partition(s)")]
    [InlineData("broker twice", "3", "1,1", "INVALID_REPLICA_ASSIGNMENT", "broker 1 more than once")]
    [InlineData("unknown broker", "3", "7", "INVALID_REPLICA_ASSIGNMENT", "broker 7, but no such broker is registered")]
    [InlineData("too few assignments", "4", "1", "INVALID_REPLICA_ASSIGNMENT", "Attempted to add 2 additional partition(s), but only 1")]
    public async Task Confluent_sees_why_a_partition_change_is_refused(string purpose, string count, string? assign, string error, string message)
    {
        Watch(_broker);
        var topic = UniqueTopic(purpose.Replace(' ', '-'));
        await _broker.CreateTopicAsync(topic, 2);
        string[] args = ["--topic", topic, "--count", count, .. assign is null ? Array.Empty<string>() : ["--assign", assign]];

        var result = await ConfluentOneAsync(_broker, "create-partitions", args);

        Assert.Equal(error, Error(result));
        Assert.Contains(message, (string?)result["message"]);
        Assert.Equal(new[] { 0, 1 }, await PartitionsAsync(topic));
    }

    [Fact]
    public async Task Kafkajs_creates_partitions_and_is_told_about_unknown_topics()
    {
        Watch(_broker);
        var topic = UniqueTopic("kafkajs-grow");
        await _broker.CreateTopicAsync(topic, 1);
        Assert.Null(Error(await KafkaJsOneAsync(_broker, "create-partitions", "--topic", topic, "--count", "3")));
        Assert.Equal(new[] { 0, 1, 2 }, await PartitionsAsync(topic));

        var missing = UniqueTopic("kafkajs-missing");
        Assert.Equal("UNKNOWN_TOPIC_OR_PARTITION", Error(await KafkaJsOneAsync(_broker, "create-partitions", "--topic", missing, "--count", "3")));
        Assert.Equal("UNKNOWN_TOPIC_OR_PARTITION", Error(await KafkaJsOneAsync(_broker, "delete-topic", "--topic", missing)));
        Assert.Null(Error(await KafkaJsOneAsync(_broker, "delete-topic", "--topic", topic)));
        Assert.DoesNotContain(await ConfluentAsync(_broker, "list-topics"), t => (string?)t["topic"] == topic);
    }

    [Fact]
    public async Task Delete_topics_v6_by_id_reports_the_name_and_unknown_ids()
    {
        Watch(_broker);
        var topic = UniqueTopic("by-id");
        var id = await CreateAsync(topic);
        var unknown = Uuid.Random();
        using var connection = await _broker.ConnectAsync();

        var response = await connection.RequestAsync<DeleteTopicsResponse>(new DeleteTopicsRequest
        {
            Topics =
            [
                new DeleteTopicsRequest.DeleteTopicState { Name = null, TopicId = id },
                new DeleteTopicsRequest.DeleteTopicState { Name = null, TopicId = unknown },
                new DeleteTopicsRequest.DeleteTopicState { Name = "both", TopicId = unknown },
            ],
        }, 6);

        var deleted = Assert.Single(response.Responses, r => r.TopicId == id);
        Assert.Equal((short)ErrorCode.None, deleted.ErrorCode);
        Assert.Equal(topic, deleted.Name);
        var notFound = Assert.Single(response.Responses, r => r.TopicId == unknown && r.Name is null);
        Assert.Equal((short)ErrorCode.UnknownTopicId, notFound.ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidRequest, Assert.Single(response.Responses, r => r.Name == "both").ErrorCode);
        Assert.DoesNotContain(await ConfluentAsync(_broker, "list-topics"), t => (string?)t["topic"] == topic);
    }

    [Fact]
    public async Task Delete_topics_v1_rejects_a_name_given_twice_and_deletes_the_rest()
    {
        Watch(_broker);
        string twice = UniqueTopic("twice"), once = UniqueTopic("once");
        await CreateAsync(twice);
        await CreateAsync(once);
        using var connection = await _broker.ConnectAsync();

        var response = await connection.RequestAsync<DeleteTopicsResponse>(new DeleteTopicsRequest { TopicNames = [twice, once, twice] }, 1);

        Assert.Equal(2, response.Responses.Count);
        Assert.Equal((short)ErrorCode.InvalidRequest, Assert.Single(response.Responses, r => r.Name == twice).ErrorCode);
        Assert.Equal((short)ErrorCode.None, Assert.Single(response.Responses, r => r.Name == once).ErrorCode);
        var listed = (await ConfluentAsync(_broker, "list-topics")).Select(t => (string?)t["topic"]).ToList();
        Assert.Contains(twice, listed);
        Assert.DoesNotContain(once, listed);
    }

    [Fact]
    public async Task Deletion_is_refused_when_delete_topic_enable_is_false()
    {
        await using var broker = Watch(await E2EBroker.StartAsync("delete.topic.enable=false"));
        var topic = UniqueTopic("undeletable");
        await broker.CreateTopicAsync(topic, 1);

        Assert.Equal("TOPIC_DELETION_DISABLED", Error(Assert.Single(await ConfluentAsync(broker, "delete", "--topic", topic))));
        Assert.Contains(await ConfluentAsync(broker, "list-topics"), t => (string?)t["topic"] == topic);
    }

    private async Task<Uuid> CreateAsync(string topic)
    {
        using var connection = await _broker.ConnectAsync();
        var response = await connection.RequestAsync<CreateTopicsResponse>(new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }],
        }, 7);
        var result = Assert.Single(response.Topics);
        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        return result.TopicId;
    }

    private async Task<int[]> PartitionsAsync(string topic)
    {
        var listed = Assert.Single(await ConfluentAsync(_broker, "list-topics"), t => (string?)t["topic"] == topic);
        return listed["partitions"]!.AsArray().Select(p => (int)p!).ToArray();
    }
}
