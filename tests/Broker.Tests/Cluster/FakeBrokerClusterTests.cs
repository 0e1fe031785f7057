using System.Text.Json.Nodes;
using Broker.Broker.Tests.Admin;
using Broker.Broker.Tests.Cli;
using Broker.Broker.Tests.EndToEnd;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Records;
using Xunit.Abstractions;
using static Broker.Broker.Tests.Admin.AdminClients;

namespace Broker.Broker.Tests.Cluster;

/// <summary>
/// One real node plus fake brokers 2 and 3 registered on its controller listener: placement of
/// replicated topics, what clients see of replicas, ISR and leaders, refusals for partitions led
/// elsewhere, and fencing when a broker stops heartbeating. Each test has its own node, since the
/// fake brokers change where every new replica goes.
/// </summary>
public sealed class FakeBrokerClusterTests(ITestOutputHelper output) : EndToEndTest(output), IAsyncLifetime
{
    private E2EBroker _node = null!;
    private readonly List<FakeBroker> _fakes = [];

    public async Task InitializeAsync() =>
        // A short session so that fencing shows within the test's deadline.
        _node = Watch(await E2EBroker.StartAsync("broker.session.timeout.ms=2000", "broker.heartbeat.interval.ms=250", "broker.rack=east"));

    public async Task DisposeAsync()
    {
        foreach (var fake in _fakes)
            await fake.DisposeAsync();
        await _node.DisposeAsync();
    }

    private async Task<FakeBroker> FakeAsync(int id, string? rack = null, int? advertisedPort = null)
    {
        using var connection = await _node.ConnectAsync();
        var clusterId = (await connection.RequestAsync<MetadataResponse>(new MetadataRequest { Topics = [] }, 12)).ClusterId!;
        var fake = await FakeBroker.StartAsync(_node, clusterId, id, rack, advertisedPort);
        _fakes.Add(fake);
        return fake;
    }

    private async Task<MetadataResponse.MetadataResponseTopic> MetadataAsync(string topic)
    {
        using var connection = await _node.ConnectAsync();
        var response = await connection.RequestAsync<MetadataResponse>(new MetadataRequest
        {
            Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }],
        }, 12);
        return Assert.Single(response.Topics);
    }

    private async Task<MetadataResponse.MetadataResponseTopic> WaitForMetadataAsync(string topic, Func<MetadataResponse.MetadataResponseTopic, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var metadata = await MetadataAsync(topic);
            if (condition(metadata))
                return metadata;
            Assert.True(DateTime.UtcNow < deadline, $"{what}: not seen within the deadline\n{_node.Logs}");
            await Task.Delay(100);
        }
    }

    private static int[] Ints(JsonNode? array) => array!.AsArray().Select(n => (int)n!).ToArray();

    [Fact]
    public async Task Confluent_and_kafkajs_create_replication_factor_3_topics_over_three_brokers_and_see_replicas_isr_and_leaders()
    {
        // kafkajs sends metadata requests to any broker it knows: the fakes' addresses relay to this node.
        using var relay2 = new TcpRelay(_node.Port);
        using var relay3 = new TcpRelay(_node.Port);
        await FakeAsync(2, advertisedPort: relay2.Port);
        await FakeAsync(3, advertisedPort: relay3.Port);

        var confluentTopic = UniqueTopic("rf3-confluent");
        Assert.Null(Error(await ConfluentOneAsync(_node, "create", "--topic", confluentTopic, "--partitions", "3", "--replication-factor", "3")));
        var kafkaJsTopic = UniqueTopic("rf3-kafkajs");
        Assert.Null(Error(await KafkaJsOneAsync(_node, "create-topic", "--topic", kafkaJsTopic, "--partitions", "3", "--replication-factor", "3")));

        foreach (var topic in new[] { confluentTopic, kafkaJsTopic })
        {
            var confluent = await ConfluentAsync(_node, "describe-topic", "--topic", topic);
            var kafkaJs = await KafkaJsAsync(_node, "topic-metadata", "--topic", topic);
            Assert.Equal(3, confluent.Count);
            Assert.Equal(3, kafkaJs.Count);
            foreach (var partition in confluent.Concat(kafkaJs))
            {
                var replicas = Ints(partition["replicas"]);
                Assert.Equal([1, 2, 3], replicas.Order());
                Assert.Equal(replicas, Ints(partition["isr"]));
                Assert.Equal(replicas[0], (int)partition["leader"]!);
            }
            // Placement rotates the first replica, so every broker leads one partition.
            Assert.Equal([1, 2, 3], confluent.Select(p => (int)p["leader"]!).Order());
        }

        using (var connection = await _node.ConnectAsync())
        {
            var partitions = await connection.RequestAsync<DescribeTopicPartitionsResponse>(new DescribeTopicPartitionsRequest
            {
                Topics = [new DescribeTopicPartitionsRequest.TopicRequest { Name = confluentTopic }],
            }, 0);
            var topic = Assert.Single(partitions.Topics);
            Assert.Equal(3, topic.Partitions.Count);
            Assert.All(topic.Partitions, p =>
            {
                Assert.Equal([1, 2, 3], p.ReplicaNodes.Order());
                Assert.Equal(p.ReplicaNodes, p.IsrNodes);
                Assert.Equal((p.ReplicaNodes[0], 0), (p.LeaderId, p.LeaderEpoch));
            });
        }

        var described = (await TopicsToolAsync("describe", "--topic", confluentTopic)).TrimEnd('\n').Split('\n');
        Assert.Matches("ReplicationFactor: 3", described[0]);
        foreach (var line in described.Skip(1))
            Assert.Matches(@"^\tTopic: \S+\tPartition: \d\tLeader: (\d)\tReplicas: \1,\d,\d\tIsr: \1,\d,\d", line);
    }

    [Fact]
    public async Task Replicas_of_a_topic_are_spread_across_racks()
    {
        using var relay2 = new TcpRelay(_node.Port);
        using var relay3 = new TcpRelay(_node.Port);
        using var relay4 = new TcpRelay(_node.Port);
        await FakeAsync(2, "east", relay2.Port);
        await FakeAsync(3, "west", relay3.Port);
        await FakeAsync(4, "west", relay4.Port);
        var rackOf = new Dictionary<int, string> { [1] = "east", [2] = "east", [3] = "west", [4] = "west" };

        var topic = UniqueTopic("racks");
        Assert.Null(Error(await ConfluentOneAsync(_node, "create", "--topic", topic, "--partitions", "8", "--replication-factor", "2")));
        var partitions = await ConfluentAsync(_node, "describe-topic", "--topic", topic);
        Assert.Equal(8, partitions.Count);
        Assert.All(partitions, p => Assert.Equal(["east", "west"], Ints(p["replicas"]).Select(r => rackOf[r]).Order()));
        Assert.Equal([1, 2, 3, 4], partitions.Select(p => (int)p["leader"]!).Distinct().Order());
    }

    [Fact]
    public async Task A_replication_factor_above_the_live_brokers_is_refused_to_clients_with_kafkas_message()
    {
        await FakeAsync(2);
        var result = await ConfluentOneAsync(_node, "create", "--topic", UniqueTopic("too-wide"), "--replication-factor", "3");
        Assert.Equal("INVALID_REPLICATION_FACTOR", Error(result));
        Assert.Contains("only 2 broker(s) are registered", (string?)result["message"]);
    }

    [Fact]
    public async Task Produce_fetch_and_list_offsets_to_a_partition_led_by_another_broker_get_not_leader_or_follower()
    {
        // Broker 2's address relays to this node, so librdkafka's produce for partition 0 reaches a
        // node that does not lead it.
        using var relay = new TcpRelay(_node.Port);
        await FakeAsync(2, advertisedPort: relay.Port);
        var topic = UniqueTopic("led-elsewhere");
        using (var connection = await _node.ConnectAsync())
        {
            var created = await connection.RequestAsync<CreateTopicsResponse>(new CreateTopicsRequest
            {
                Topics =
                [
                    new CreateTopicsRequest.CreatableTopic
                    {
                        Name = topic, NumPartitions = -1, ReplicationFactor = -1,
                        Assignments =
                        [
                            new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = 0, BrokerIds = [2] },
                            new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = 1, BrokerIds = [1] },
                        ],
                    },
                ],
            }, 7);
            Assert.Equal(0, Assert.Single(created.Topics).ErrorCode);

            var produce = await connection.RequestAsync<ProduceResponse>(new ProduceRequest
            {
                Acks = -1, TimeoutMs = 5000,
                TopicData = [new ProduceRequest.TopicProduceData
                {
                    Name = topic,
                    PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = OneRecordBatch() }],
                }],
            }, 9);
            Assert.Equal((short)ErrorCode.NotLeaderOrFollower, Assert.Single(Assert.Single(produce.Responses).PartitionResponses).ErrorCode);

            var fetched = await connection.RequestAsync<FetchResponse>(new FetchRequest
            {
                MaxWaitMs = 0, MinBytes = 1, MaxBytes = 1 << 20,
                Topics = [new FetchRequest.FetchTopic
                {
                    Topic = topic,
                    Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = 0, PartitionMaxBytes = 1 << 20 }],
                }],
            }, 12);
            Assert.Equal((short)ErrorCode.NotLeaderOrFollower, Assert.Single(Assert.Single(fetched.Responses).Partitions).ErrorCode);

            var listed = await connection.RequestAsync<ListOffsetsResponse>(new ListOffsetsRequest
            {
                ReplicaId = -1,
                Topics = [new ListOffsetsRequest.ListOffsetsTopic
                {
                    Name = topic,
                    Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = -1 }],
                }],
            }, 7);
            Assert.Equal((short)ErrorCode.NotLeaderOrFollower, Assert.Single(Assert.Single(listed.Topics).Partitions).ErrorCode);
        }
        Assert.False(Directory.Exists(Path.Combine(_node.DataDir, $"{topic}-0")), "a log for a partition this node does not replicate");
        Assert.True(Directory.Exists(Path.Combine(_node.DataDir, $"{topic}-1")));

        // librdkafka treats the answer as "leader moved": it refreshes metadata and retries until the
        // message times out; its debug log shows what this node answered each time.
        var refused = await ClientProcess.RunAsync("kcat",
            ["-b", _node.Bootstrap, "-P", "-t", topic, "-p", "0", "-X", "message.timeout.ms=3000", "-d", "protocol,broker"], stdin: "lost\n");
        Assert.True(refused.ExitCode != 0 && refused.Stderr.Contains("ProduceRequest failed: Broker: Not leader for partition"), refused.ToString());
        var accepted = await Clients.KcatAsync(_node, "kept\n", "-P", "-t", topic, "-p", "1");
        Clients.Succeeded(accepted, _node);
    }

    private static byte[] OneRecordBatch()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, "v"u8.ToArray());
        using var batch = builder.Build();
        return batch.WrittenSpan.ToArray();
    }

    [Fact]
    public async Task A_broker_that_stops_heartbeating_is_fenced_and_loses_leadership_and_isr_membership()
    {
        var two = await FakeAsync(2);
        await FakeAsync(3);
        var topic = UniqueTopic("fencing");
        Assert.Null(Error(await ConfluentOneAsync(_node, "create", "--topic", topic, "--partitions", "3", "--replication-factor", "3")));
        var before = await MetadataAsync(topic);
        Assert.Contains(before.Partitions, p => p.LeaderId == 2);

        await two.StopHeartbeatsAsync();
        var after = await WaitForMetadataAsync(topic, t => t.Partitions.All(p => p.LeaderId != 2 && !p.IsrNodes.Contains(2)),
            "leadership and ISR moved off fenced broker 2");
        foreach (var p in after.Partitions)
        {
            Assert.Equal([1, 2, 3], p.ReplicaNodes.Order());
            Assert.Contains(p.LeaderId, new[] { 1, 3 });
            Assert.Equal(2, p.IsrNodes.Count);
        }
        var moved = after.Partitions.Single(p => before.Partitions.Single(b => b.PartitionIndex == p.PartitionIndex).LeaderId == 2);
        Assert.Equal(1, moved.LeaderEpoch);

        var confluent = await ConfluentAsync(_node, "describe-topic", "--topic", topic);
        Assert.All(confluent, p => Assert.DoesNotContain(2, Ints(p["isr"])));
        Assert.Contains("Fencing broker 2", _node.Logs);
    }

    private async Task<string> TopicsToolAsync(params string[] args)
    {
        using var root = new global::Broker.Broker.Tests.Storage.TempDirectory();
        var (exitCode, stdout, stderr) = await BrokerProcess.RunAsync(root.Path, ["topics", .. args, "--bootstrap-server", _node.Bootstrap]);
        Assert.True(exitCode == 0, $"topics {string.Join(' ', args)} exited {exitCode}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        return stdout;
    }
}
