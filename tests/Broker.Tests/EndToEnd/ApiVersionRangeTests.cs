using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>
/// Every API a client may call, at the lowest and the highest version the broker advertises: the
/// answer must come back and decode, to its last byte, at the version asked. Old clients (Kafka
/// 0.11/1.0-era: Metadata v0, OffsetCommit v0, CreateTopics v0...) and new ones both get in.
/// </summary>
public class ApiVersionRangeTests(SharedBroker shared, ITestOutputHelper output) : EndToEndTest(output), IClassFixture<SharedBroker>
{
    /// <summary>The client listener's APIs; <see cref="The_list_is_what_the_broker_advertises"/> keeps it honest.</summary>
    public static TheoryData<ApiKey> ClientApis() => [.. ClientApiKeys];

    private static readonly ApiKey[] ClientApiKeys =
    [
        ApiKey.Produce, ApiKey.Fetch, ApiKey.ListOffsets, ApiKey.Metadata, ApiKey.OffsetCommit, ApiKey.OffsetFetch,
        ApiKey.FindCoordinator, ApiKey.JoinGroup, ApiKey.Heartbeat, ApiKey.LeaveGroup, ApiKey.SyncGroup,
        ApiKey.DescribeGroups, ApiKey.ListGroups, ApiKey.ApiVersions, ApiKey.CreateTopics, ApiKey.DeleteTopics,
        ApiKey.DeleteRecords, ApiKey.InitProducerId, ApiKey.OffsetForLeaderEpoch, ApiKey.DescribeConfigs,
        ApiKey.AlterConfigs, ApiKey.DescribeLogDirs, ApiKey.CreatePartitions, ApiKey.DeleteGroups, ApiKey.ElectLeaders,
        ApiKey.IncrementalAlterConfigs, ApiKey.AlterPartitionReassignments, ApiKey.ListPartitionReassignments,
        ApiKey.OffsetDelete, ApiKey.DescribeQuorum, ApiKey.UpdateFeatures, ApiKey.DescribeCluster,
        ApiKey.DescribeProducers, ApiKey.UnregisterBroker, ApiKey.DescribeTopicPartitions,
    ];

    /// <summary>The lowest version each API is served at, by Kafka's spec for record batch v2 clients.</summary>
    private static readonly Dictionary<ApiKey, short> ExpectedFloors = new()
    {
        [ApiKey.Produce] = 3, [ApiKey.Fetch] = 4, [ApiKey.ListOffsets] = 1, [ApiKey.Metadata] = 0,
        [ApiKey.OffsetCommit] = 0, [ApiKey.OffsetFetch] = 0, [ApiKey.FindCoordinator] = 0, [ApiKey.JoinGroup] = 0,
        [ApiKey.CreateTopics] = 0, [ApiKey.DeleteTopics] = 0, [ApiKey.DescribeConfigs] = 0, [ApiKey.DeleteGroups] = 0,
        [ApiKey.DescribeLogDirs] = 0, [ApiKey.OffsetForLeaderEpoch] = 0, [ApiKey.ApiVersions] = 0,
    };

    [Fact]
    public async Task The_list_is_what_the_broker_advertises()
    {
        var advertised = await AdvertisedAsync();

        Assert.Equal(ClientApiKeys.Select(k => (short)k).Order(), advertised.Keys.Order());
        foreach (var (api, floor) in ExpectedFloors)
            Assert.True(advertised[(short)api].Min <= floor, $"{api} is advertised from v{advertised[(short)api].Min}, expected v{floor}");
    }

    [Theory]
    [MemberData(nameof(ClientApis))]
    public async Task Lowest_and_highest_advertised_versions_answer_at_that_version(ApiKey key)
    {
        Watch(shared.Broker);
        var (min, max) = (await AdvertisedAsync())[(short)key];
        var descriptor = KafkaConnection.Api(key);
        // Produce v0-v2 are advertised only for librdkafka's sake (KAFKA-18659); v3 is the first served.
        var lowest = key == ApiKey.Produce ? descriptor.LowestVersion : min;
        Assert.Equal(descriptor.HighestVersion, max);
        if (ExpectedFloors.TryGetValue(key, out var floor))
            Assert.Equal(floor, lowest);

        using var connection = await shared.Broker.ConnectAsync();
        foreach (var version in new[] { lowest, max }.Distinct())
        {
            var correlationId = connection.NextCorrelationId();
            await connection.SendFrameAsync(KafkaConnection.Encode(HarmlessRequest(key), version, correlationId));
            var frame = await connection.ReadFrameAsync();
            Assert.True(frame is not null, $"{key} v{version}: the broker closed the connection");

            var (response, left) = Decode(descriptor, frame, version, correlationId);
            Assert.Equal(0, left);
            Assert.Equal((short)key, response.ApiKey);
        }
        // Still serving on the same connection.
        var after = await connection.RequestAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 0);
        Assert.Equal((short)ErrorCode.None, after.ErrorCode);
    }

    [Fact]
    public async Task ApiVersions_below_v4_lists_no_feature_that_starts_at_level_0()
    {
        using var connection = await shared.Broker.ConnectAsync();
        var v3 = await connection.RequestAsync<ApiVersionsResponse>(new ApiVersionsRequest { ClientSoftwareName = "e2e", ClientSoftwareVersion = "1" }, 3);
        var v4 = await connection.RequestAsync<ApiVersionsResponse>(new ApiVersionsRequest { ClientSoftwareName = "e2e", ClientSoftwareVersion = "1" }, 4);

        Assert.DoesNotContain(v3.SupportedFeatures, f => f.MinVersion == 0);
        Assert.Contains(v4.SupportedFeatures, f => f.MinVersion == 0);
        Assert.All(v3.SupportedFeatures, f => Assert.Contains(v4.SupportedFeatures, g => g.Name == f.Name));
    }

    [Fact]
    public async Task Metadata_v0_with_an_empty_list_describes_every_topic()
    {
        var topic = UniqueTopic("meta-v0");
        await shared.Broker.CreateTopicAsync(topic, 2);
        using var connection = await shared.Broker.ConnectAsync();

        var v0 = await connection.RequestAsync<MetadataResponse>(new MetadataRequest { Topics = [] }, 0);
        var v1 = await connection.RequestAsync<MetadataResponse>(new MetadataRequest { Topics = [] }, 1);

        Assert.Equal(2, Assert.Single(v0.Topics, t => t.Name == topic).Partitions.Count);
        Assert.Empty(v1.Topics);
    }

    [Fact]
    public async Task OffsetCommit_v0_lands_in_consumer_offsets_and_every_fetch_version_reads_it()
    {
        var topic = UniqueTopic("commit-v0");
        var group = UniqueTopic("group-v0");
        await shared.Broker.CreateTopicAsync(topic, 1);
        using var connection = await shared.Broker.ConnectAsync();
        var coordinator = await connection.RequestAsync<FindCoordinatorResponse>(new FindCoordinatorRequest { Key = group }, 0);
        Assert.Equal((short)ErrorCode.None, coordinator.ErrorCode);

        var commit = await connection.RequestAsync<OffsetCommitResponse>(new OffsetCommitRequest
        {
            GroupId = group,
            Topics = [new() { Name = topic, Partitions = [new() { PartitionIndex = 0, CommittedOffset = 42, CommittedMetadata = "v0" }] }],
        }, 0);
        Assert.Equal((short)ErrorCode.None, Assert.Single(Assert.Single(commit.Topics).Partitions).ErrorCode);

        foreach (short version in new short[] { 0, 1, 7 })
        {
            var fetched = await connection.RequestAsync<OffsetFetchResponse>(new OffsetFetchRequest
            {
                GroupId = group, Topics = [new() { Name = topic, PartitionIndexes = [0] }],
            }, version);
            var partition = Assert.Single(Assert.Single(fetched.Topics).Partitions);
            Assert.Equal(42, partition.CommittedOffset);
            Assert.Equal("v0", partition.Metadata);
        }
    }

    [Fact]
    public async Task Produce_v3_with_a_magic_1_message_set_is_an_invalid_record()
    {
        var topic = UniqueTopic("magic1");
        await shared.Broker.CreateTopicAsync(topic, 1);
        using var connection = await shared.Broker.ConnectAsync();
        // One magic-1 message: offset, size, crc, magic 1, attributes, timestamp, key -1, value "x".
        byte[] message = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1, (byte)'x'];

        var response = await connection.RequestAsync<ProduceResponse>(new ProduceRequest
        {
            Acks = 1, TimeoutMs = 5000,
            TopicData = [new() { Name = topic, PartitionData = [new() { Index = 0, Records = message }] }],
        }, 3);

        Assert.Equal((short)ErrorCode.InvalidRecord, Assert.Single(Assert.Single(response.Responses).PartitionResponses).ErrorCode);
    }

    private async Task<Dictionary<short, (short Min, short Max)>> AdvertisedAsync()
    {
        using var connection = await shared.Broker.ConnectAsync();
        var versions = await connection.RequestAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 0);
        return versions.ApiKeys.ToDictionary(k => k.ApiKey, k => (k.MinVersion, k.MaxVersion));
    }

    /// <summary>
    /// An empty request, which every API answers without changing anything, except where empty
    /// means something else: Produce needs acks to answer at all, UnregisterBroker a broker that is not there.
    /// </summary>
    private static IApiMessage HarmlessRequest(ApiKey key) => key switch
    {
        ApiKey.Produce => new ProduceRequest { Acks = 1, TimeoutMs = 5000 },
        ApiKey.UnregisterBroker => new UnregisterBrokerRequest { BrokerId = 9999 },
        ApiKey.ApiVersions => new ApiVersionsRequest { ClientSoftwareName = "e2e", ClientSoftwareVersion = "1" },
        ApiKey.Fetch => new FetchRequest { MaxWaitMs = 0, MinBytes = 0, MaxBytes = 1 << 20 },
        _ => KafkaConnection.Api(key).NewRequest(),
    };

    private static (IApiMessage Response, int Left) Decode(ApiDescriptor api, byte[] frame, short version, int correlationId)
    {
        var response = api.NewResponse();
        var reader = new KafkaReader(frame);
        var header = new ResponseHeader();
        header.Read(ref reader, api.ResponseHeaderVersion(version));
        Assert.Equal(correlationId, header.CorrelationId);
        response.Read(ref reader, version);
        return (response, reader.Remaining);
    }
}
