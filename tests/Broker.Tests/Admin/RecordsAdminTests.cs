using Broker.Broker.Tests.EndToEnd;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Xunit.Abstractions;
using static Broker.Broker.Tests.Admin.AdminClients;

namespace Broker.Broker.Tests.Admin;

/// <summary>DeleteRecords through kafkajs and consumers; OffsetForLeaderEpoch as a KIP-320 consumer asks it.</summary>
public sealed class RecordsAdminTests(SharedBroker shared, ITestOutputHelper output) : EndToEndTest(output), IClassFixture<SharedBroker>
{
    private readonly E2EBroker _broker = shared.Broker;

    [Fact]
    public async Task Kafkajs_deletes_records_and_consumers_start_at_the_new_low_watermark()
    {
        Watch(_broker);
        var topic = await TopicWithRecordsAsync("delete-records", 10);

        Assert.Null(Error(await KafkaJsOneAsync(_broker, "delete-records", "--topic", topic, "--partition", "0", "--offset", "4")));

        var offsets = Assert.Single(await KafkaJsAsync(_broker, "offsets", "--topic", topic));
        Assert.Equal(4, (int)offsets["low"]!);
        Assert.Equal(10, (int)offsets["high"]!);
        var consumed = Clients.ParseKcatJson(await Clients.KcatAsync(_broker, null, "-C", "-t", topic, "-o", "beginning", "-e", "-J", "-q"));
        Assert.Equal(Enumerable.Range(4, 6).Select(i => (long)i), consumed.Select(r => r.Offset));
        Assert.Equal("v4", consumed[0].Value);
    }

    [Fact]
    public async Task Kafkajs_delete_records_to_minus_one_empties_up_to_the_high_watermark()
    {
        Watch(_broker);
        var topic = await TopicWithRecordsAsync("delete-all", 5);

        Assert.Null(Error(await KafkaJsOneAsync(_broker, "delete-records", "--topic", topic, "--partition", "0", "--offset", "-1")));

        var offsets = Assert.Single(await KafkaJsAsync(_broker, "offsets", "--topic", topic));
        Assert.Equal(5, (int)offsets["low"]!);
        Assert.Equal(5, (int)offsets["high"]!);
    }

    [Fact]
    public async Task Kafkajs_gets_offset_out_of_range_beyond_the_high_watermark()
    {
        Watch(_broker);
        var topic = await TopicWithRecordsAsync("delete-beyond", 3);

        var result = Assert.Single(await KafkaJsAsync(_broker, "delete-records", "--topic", topic, "--partition", "0", "--offset", "50"));

        Assert.Equal("OFFSET_OUT_OF_RANGE", Error(result));
        Assert.Equal(0, (int)Assert.Single(await KafkaJsAsync(_broker, "offsets", "--topic", topic))["low"]!);
    }

    [Fact]
    public async Task Delete_records_answers_low_watermarks_and_per_partition_errors()
    {
        Watch(_broker);
        var topic = await TopicWithRecordsAsync("delete-raw", 6);
        using var connection = await _broker.ConnectAsync();
        DeleteRecordsRequest.DeleteRecordsPartition Partition(int index, long offset) => new() { PartitionIndex = index, Offset = offset };

        var response = await connection.RequestAsync<DeleteRecordsResponse>(new DeleteRecordsRequest
        {
            Topics =
            [
                new DeleteRecordsRequest.DeleteRecordsTopic { Name = topic, Partitions = [Partition(0, 2), Partition(7, 1)] },
                new DeleteRecordsRequest.DeleteRecordsTopic { Name = UniqueTopic("absent"), Partitions = [Partition(0, 1)] },
            ],
            TimeoutMs = 5000,
        }, 2);

        var ours = response.Topics[0].Partitions;
        Assert.Equal((short)ErrorCode.None, ours[0].ErrorCode);
        Assert.Equal(2, ours[0].LowWatermark);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, ours[1].ErrorCode);
        Assert.Equal(-1, ours[1].LowWatermark);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, response.Topics[1].Partitions[0].ErrorCode);

        // Deleting below the current start is not an error: the low watermark stays where it is.
        var again = await connection.RequestAsync<DeleteRecordsResponse>(new DeleteRecordsRequest
        {
            Topics = [new DeleteRecordsRequest.DeleteRecordsTopic { Name = topic, Partitions = [Partition(0, 1)] }],
        }, 0);
        Assert.Equal(2, again.Topics[0].Partitions[0].LowWatermark);
    }

    [Fact]
    public async Task Kafkajs_cannot_delete_records_of_a_compacted_only_topic()
    {
        Watch(_broker);
        var topic = UniqueTopic("compacted");
        Assert.Null(Error(await ConfluentOneAsync(_broker, "create", "--topic", topic, "--config", "cleanup.policy=compact")));
        await Clients.KcatAsync(_broker, "k:v\n", "-P", "-t", topic, "-K", ":");

        var result = Assert.Single(await KafkaJsAsync(_broker, "delete-records", "--topic", topic, "--partition", "0", "--offset", "-1"));

        Assert.Equal("POLICY_VIOLATION", Error(result));
        Assert.Equal(0, (int)Assert.Single(await KafkaJsAsync(_broker, "offsets", "--topic", topic))["low"]!);
    }

    [Theory]
    [InlineData((short)2)]
    [InlineData((short)3)]
    [InlineData((short)4)]
    public async Task Offset_for_leader_epoch_gives_the_end_of_the_current_epoch_and_checks_the_callers_epoch(short version)
    {
        Watch(_broker);
        var topic = await TopicWithRecordsAsync($"epochs-v{version}", 7);
        using var connection = await _broker.ConnectAsync();

        async Task<OffsetForLeaderEpochResponse.EpochEndOffset> AskAsync(int currentLeaderEpoch, int leaderEpoch, int partition = 0)
        {
            var response = await connection.RequestAsync<OffsetForLeaderEpochResponse>(new OffsetForLeaderEpochRequest
            {
                ReplicaId = -1,
                Topics = [new OffsetForLeaderEpochRequest.OffsetForLeaderTopic
                {
                    Topic = topic,
                    Partitions = [new OffsetForLeaderEpochRequest.OffsetForLeaderPartition { Partition = partition, CurrentLeaderEpoch = currentLeaderEpoch, LeaderEpoch = leaderEpoch }],
                }],
            }, version);
            return Assert.Single(Assert.Single(response.Topics).Partitions);
        }

        var current = await AskAsync(0, 0);
        Assert.Equal((short)ErrorCode.None, current.ErrorCode);
        Assert.Equal(0, current.LeaderEpoch);
        Assert.Equal(7, current.EndOffset);

        var unknownEpoch = await AskAsync(-1, 5);
        Assert.Equal((short)ErrorCode.None, unknownEpoch.ErrorCode);
        Assert.Equal((-1, -1L), (unknownEpoch.LeaderEpoch, unknownEpoch.EndOffset));

        Assert.Equal((short)ErrorCode.UnknownLeaderEpoch, (await AskAsync(3, 0)).ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, (await AskAsync(-1, 0, partition: 9)).ErrorCode);
    }

    [Fact]
    public async Task Offset_for_leader_epoch_of_an_empty_partition_is_its_start()
    {
        Watch(_broker);
        var topic = UniqueTopic("epochs-empty");
        await _broker.CreateTopicAsync(topic, 1);
        using var connection = await _broker.ConnectAsync();
        var response = await connection.RequestAsync<OffsetForLeaderEpochResponse>(new OffsetForLeaderEpochRequest
        {
            Topics = [new OffsetForLeaderEpochRequest.OffsetForLeaderTopic
            {
                Topic = topic,
                Partitions = [new OffsetForLeaderEpochRequest.OffsetForLeaderPartition { Partition = 0, CurrentLeaderEpoch = 0, LeaderEpoch = 0 }],
            }],
        }, 4);
        var result = Assert.Single(Assert.Single(response.Topics).Partitions);
        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        Assert.Equal((0, 0L), (result.LeaderEpoch, result.EndOffset));
    }

    private async Task<string> TopicWithRecordsAsync(string purpose, int count)
    {
        var topic = UniqueTopic(purpose);
        await _broker.CreateTopicAsync(topic, 1);
        await Clients.KcatAsync(_broker, string.Concat(Enumerable.Range(0, count).Select(i => $"v{i}\n")), "-P", "-t", topic, "-p", "0");
        return topic;
    }
}
