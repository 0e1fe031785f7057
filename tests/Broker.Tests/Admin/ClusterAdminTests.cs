using Broker.Broker.Tests.EndToEnd;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.Admin;

/// <summary>
/// DescribeCluster, DescribeLogDirs and DescribeTopicPartitions at every version, over the wire:
/// the clients installed here (librdkafka 2.0, kafkajs 2.2) do not send these requests.
/// </summary>
public sealed class ClusterAdminTests(SharedBroker shared, ITestOutputHelper output) : EndToEndTest(output), IClassFixture<SharedBroker>
{
    private readonly E2EBroker _broker = shared.Broker;

    [Theory]
    [InlineData((short)0)]
    [InlineData((short)1)]
    public async Task Describe_cluster_lists_this_broker_on_the_listener_used(short version)
    {
        Watch(_broker);
        using var connection = await _broker.ConnectAsync();
        var response = await connection.RequestAsync<DescribeClusterResponse>(new DescribeClusterRequest { IncludeClusterAuthorizedOperations = true }, version);

        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        Assert.Equal(1, response.ControllerId);
        Assert.Matches("^[A-Za-z0-9_-]{22}$", response.ClusterId);
        var broker = Assert.Single(response.Brokers);
        Assert.Equal((1, "127.0.0.1", _broker.Port), (broker.BrokerId, broker.Host, broker.Port));
        Assert.Null(broker.Rack);
        Assert.NotEqual(int.MinValue, response.ClusterAuthorizedOperations);
    }

    [Fact]
    public async Task Describe_cluster_for_controllers_is_answered_on_the_controller_listener_only()
    {
        Watch(_broker);
        using (var brokerListener = await _broker.ConnectAsync())
        {
            var refused = await brokerListener.RequestAsync<DescribeClusterResponse>(new DescribeClusterRequest { EndpointType = 2 }, 1);
            Assert.Equal((short)ErrorCode.MismatchedEndpointType, refused.ErrorCode);
        }
        using var controllerListener = await KafkaConnection.ConnectAsync(_broker.ControllerPort);
        var response = await controllerListener.RequestAsync<DescribeClusterResponse>(new DescribeClusterRequest { EndpointType = 2 }, 1);
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        var controller = Assert.Single(response.Brokers);
        Assert.Equal((1, _broker.ControllerPort), (controller.BrokerId, controller.Port));

        var unknown = await controllerListener.RequestAsync<DescribeClusterResponse>(new DescribeClusterRequest { EndpointType = 9 }, 1);
        Assert.Equal((short)ErrorCode.UnsupportedEndpointType, unknown.ErrorCode);
    }

    [Theory]
    [InlineData((short)1)]
    [InlineData((short)2)]
    [InlineData((short)3)]
    [InlineData((short)4)]
    public async Task Describe_log_dirs_reports_each_partition_with_its_size_on_disk(short version)
    {
        Watch(_broker);
        var topic = UniqueTopic($"log-dirs-v{version}");
        await _broker.CreateTopicAsync(topic, 2);
        await Clients.KcatAsync(_broker, "one\ntwo\nthree\n", "-P", "-t", topic, "-p", "1");
        using var connection = await _broker.ConnectAsync();

        var response = await connection.RequestAsync<DescribeLogDirsResponse>(new DescribeLogDirsRequest
        {
            Topics = [new DescribeLogDirsRequest.DescribableLogDirTopic { Topic = topic, Partitions = [0, 1, 5] }],
        }, version);

        var dir = Assert.Single(response.Results);
        Assert.Equal((short)ErrorCode.None, dir.ErrorCode);
        Assert.Equal(_broker.DataDir, dir.LogDir);
        var described = Assert.Single(dir.Topics);
        Assert.Equal(topic, described.Name);
        Assert.Equal([0, 1], described.Partitions.Select(p => p.PartitionIndex));
        Assert.Equal(0, described.Partitions[0].PartitionSize);
        var onDisk = Directory.GetFiles(Path.Combine(_broker.DataDir, $"{topic}-1"), "*.log").Sum(f => new FileInfo(f).Length);
        Assert.True(onDisk > 0);
        Assert.Equal(onDisk, described.Partitions[1].PartitionSize);
        Assert.All(described.Partitions, p => Assert.Equal((0L, false), (p.OffsetLag, p.IsFutureKey)));
        if (version >= 4)
            Assert.True(dir.TotalBytes > 0 && dir.UsableBytes > 0 && dir.UsableBytes <= dir.TotalBytes, $"total {dir.TotalBytes}, usable {dir.UsableBytes}");
    }

    [Fact]
    public async Task Describe_log_dirs_without_a_topic_list_covers_every_partition()
    {
        Watch(_broker);
        var topic = UniqueTopic("log-dirs-all");
        await _broker.CreateTopicAsync(topic, 3);
        using var connection = await _broker.ConnectAsync();
        var response = await connection.RequestAsync<DescribeLogDirsResponse>(new DescribeLogDirsRequest { Topics = null }, 4);
        var described = Assert.Single(Assert.Single(response.Results).Topics, t => t.Name == topic);
        Assert.Equal([0, 1, 2], described.Partitions.Select(p => p.PartitionIndex));
    }

    [Fact]
    public async Task Describe_topic_partitions_pages_through_topics_in_name_order_with_a_cursor()
    {
        Watch(_broker);
        var prefix = UniqueTopic("dtp");
        string a = $"{prefix}-a", b = $"{prefix}-b", missing = $"{prefix}-c";
        await _broker.CreateTopicAsync(b, 2);
        await _broker.CreateTopicAsync(a, 3);
        using var connection = await _broker.ConnectAsync();
        async Task<DescribeTopicPartitionsResponse> PageAsync(int limit, DescribeTopicPartitionsRequest.CursorData? cursor) =>
            await connection.RequestAsync<DescribeTopicPartitionsResponse>(new DescribeTopicPartitionsRequest
            {
                Topics = [new() { Name = missing }, new() { Name = b }, new() { Name = a }],
                ResponsePartitionLimit = limit,
                Cursor = cursor,
            }, 0);

        var first = await PageAsync(2, null);
        var topicA = Assert.Single(first.Topics);
        Assert.Equal(a, topicA.Name);
        Assert.Equal([0, 1], topicA.Partitions.Select(p => p.PartitionIndex));
        Assert.Equal((a, 2), (first.NextCursor!.TopicName, first.NextCursor.PartitionIndex));

        var second = await PageAsync(2, new() { TopicName = a, PartitionIndex = 2 });
        Assert.Equal([a, b], second.Topics.Select(t => t.Name));
        Assert.Equal([2], second.Topics[0].Partitions.Select(p => p.PartitionIndex));
        Assert.Equal([0], second.Topics[1].Partitions.Select(p => p.PartitionIndex));
        Assert.Equal((b, 1), (second.NextCursor!.TopicName, second.NextCursor.PartitionIndex));

        var last = await PageAsync(10, new() { TopicName = b, PartitionIndex = 1 });
        Assert.Equal([b, missing], last.Topics.Select(t => t.Name));
        Assert.Equal([1], last.Topics[0].Partitions.Select(p => p.PartitionIndex));
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, last.Topics[1].ErrorCode);
        Assert.Null(last.NextCursor);

        var partition = last.Topics[0].Partitions[0];
        Assert.Equal((short)ErrorCode.None, partition.ErrorCode);
        Assert.Equal((1, 0), (partition.LeaderId, partition.LeaderEpoch));
        Assert.Equal([1], partition.ReplicaNodes);
        Assert.Equal([1], partition.IsrNodes);
        Assert.NotEqual(default, last.Topics[0].TopicId);
    }

    [Fact]
    public async Task Describe_topic_partitions_needs_the_cursor_topic_in_the_list()
    {
        Watch(_broker);
        var topic = UniqueTopic("dtp-cursor");
        await _broker.CreateTopicAsync(topic, 1);
        using var connection = await _broker.ConnectAsync();
        var response = await connection.RequestAsync<DescribeTopicPartitionsResponse>(new DescribeTopicPartitionsRequest
        {
            Topics = [new() { Name = topic }],
            Cursor = new() { TopicName = "elsewhere", PartitionIndex = 0 },
        }, 0);
        Assert.Equal((short)ErrorCode.InvalidRequest, Assert.Single(response.Topics).ErrorCode);
    }

    [Fact]
    public async Task Describe_topic_partitions_without_names_lists_every_topic()
    {
        Watch(_broker);
        var topic = UniqueTopic("dtp-all");
        await _broker.CreateTopicAsync(topic, 2);
        using var connection = await _broker.ConnectAsync();
        var response = await connection.RequestAsync<DescribeTopicPartitionsResponse>(new DescribeTopicPartitionsRequest(), 0);
        var names = response.Topics.Select(t => t.Name).ToList();
        Assert.Contains(topic, names);
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.All(response.Topics, t => Assert.Equal((short)ErrorCode.None, t.ErrorCode));
    }
}
