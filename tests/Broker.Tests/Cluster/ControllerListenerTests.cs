using Broker.Broker.Tests.Admin;
using Broker.Broker.Tests.Config;
using Broker.Broker.Tests.Controller;
using Broker.Broker.Tests.EndToEnd;
using Broker.Controller;
using Broker.Handlers;
using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.Cluster;

/// <summary>The controller listener's APIs over the wire, and forwarding of admin requests to a remote controller.</summary>
public sealed class ControllerListenerTests(SharedBroker shared, ITestOutputHelper output) : EndToEndTest(output), IClassFixture<SharedBroker>
{
    private readonly E2EBroker _node = shared.Broker;

    private async Task<string> ClusterIdAsync()
    {
        using var connection = await _node.ConnectAsync();
        return (await connection.RequestAsync<MetadataResponse>(new MetadataRequest { Topics = [] }, 12)).ClusterId!;
    }

    private static async Task<HashSet<ApiKey>> AdvertisedAsync(int port)
    {
        using var connection = await KafkaConnection.ConnectAsync(port);
        var response = await connection.RequestAsync<ApiVersionsResponse>(new ApiVersionsRequest { ClientSoftwareName = "t", ClientSoftwareVersion = "1" }, 3);
        return response.ApiKeys.Select(k => (ApiKey)k.ApiKey).ToHashSet();
    }

    [Fact]
    public async Task Each_listener_advertises_and_serves_the_apis_kafka_answers_there()
    {
        Watch(_node);
        var controller = await AdvertisedAsync(_node.ControllerPort);
        Assert.Superset(new HashSet<ApiKey> { ApiKey.BrokerRegistration, ApiKey.BrokerHeartbeat, ApiKey.UnregisterBroker, ApiKey.ControllerRegistration, ApiKey.UpdateFeatures, ApiKey.CreateTopics, ApiKey.ApiVersions }, controller);
        Assert.DoesNotContain(ApiKey.Metadata, controller);
        Assert.DoesNotContain(ApiKey.Produce, controller);

        var broker = await AdvertisedAsync(_node.Port);
        Assert.Contains(ApiKey.Metadata, broker);
        Assert.Contains(ApiKey.UpdateFeatures, broker);
        Assert.DoesNotContain(ApiKey.BrokerRegistration, broker);
        Assert.DoesNotContain(ApiKey.BrokerHeartbeat, broker);

        // A controller-only API on the broker listener is an unknown API there: the connection closes.
        using var wrong = await _node.ConnectAsync();
        await wrong.SendFrameAsync(KafkaConnection.Encode(new BrokerHeartbeatRequest { BrokerId = 1, BrokerEpoch = 1 }, 1, 1));
        Assert.True(await wrong.ClosedByBrokerAsync());
    }

    [Fact]
    public async Task Registration_and_heartbeat_refusals_carry_kafkas_error_codes()
    {
        Watch(_node);
        var clusterId = await ClusterIdAsync();
        await using var fake = await FakeBroker.StartAsync(_node, clusterId, 7);
        using var connection = await KafkaConnection.ConnectAsync(_node.ControllerPort);

        var duplicate = await connection.RequestAsync<BrokerRegistrationResponse>(ControllerHarness.Registration(7, clusterId: clusterId), 4);
        Assert.Equal((short)ErrorCode.DuplicateBrokerRegistration, duplicate.ErrorCode);
        var foreign = await connection.RequestAsync<BrokerRegistrationResponse>(ControllerHarness.Registration(8), 4);
        Assert.Equal((short)ErrorCode.InconsistentClusterId, foreign.ErrorCode);

        var stale = await connection.RequestAsync<BrokerHeartbeatResponse>(new BrokerHeartbeatRequest { BrokerId = 7, BrokerEpoch = fake.Epoch - 1, CurrentMetadataOffset = long.MaxValue }, 1);
        Assert.Equal((short)ErrorCode.StaleBrokerEpoch, stale.ErrorCode);
        var unknown = await connection.RequestAsync<BrokerHeartbeatResponse>(new BrokerHeartbeatRequest { BrokerId = 99, BrokerEpoch = 1 }, 1);
        Assert.Equal((short)ErrorCode.BrokerIdNotRegistered, unknown.ErrorCode);

        await fake.StopHeartbeatsAsync();
        var unregistered = await connection.RequestAsync<UnregisterBrokerResponse>(new UnregisterBrokerRequest { BrokerId = 7 }, 0);
        Assert.Equal((short)ErrorCode.None, unregistered.ErrorCode);
        using var client = await _node.ConnectAsync();
        var brokers = (await client.RequestAsync<MetadataResponse>(new MetadataRequest { Topics = [] }, 12)).Brokers;
        Assert.Equal([1], brokers.Select(b => b.NodeId));
        var again = await connection.RequestAsync<UnregisterBrokerResponse>(new UnregisterBrokerRequest { BrokerId = 7 }, 0);
        Assert.Equal((short)ErrorCode.BrokerIdNotRegistered, again.ErrorCode);
    }

    [Fact]
    public async Task Update_features_refuses_a_metadata_version_downgrade_and_accepts_the_current_level()
    {
        Watch(_node);
        using var connection = await _node.ConnectAsync();
        UpdateFeaturesRequest Update(short level, sbyte type) => new()
        {
            FeatureUpdates = [new UpdateFeaturesRequest.FeatureUpdateKey { Feature = FeatureLevels.MetadataVersion, MaxVersionLevel = level, UpgradeType = type }],
        };
        var down = await connection.RequestAsync<UpdateFeaturesResponse>(Update(FeatureLevels.MinimumMetadataVersion, 2), 1);
        Assert.Equal((short)ErrorCode.InvalidUpdateVersion, Assert.Single(down.Results).ErrorCode);
        var same = await connection.RequestAsync<UpdateFeaturesResponse>(Update(FeatureLevels.LatestMetadataVersion, 1), 1);
        Assert.Equal((short)ErrorCode.None, Assert.Single(same.Results).ErrorCode);
    }

    [Fact]
    public async Task Controller_registration_is_accepted_from_a_voter_only()
    {
        Watch(_node);
        using var connection = await KafkaConnection.ConnectAsync(_node.ControllerPort);
        ControllerRegistrationRequest Registration(int id) => new()
        {
            ControllerId = id, IncarnationId = Uuid.Random(),
            Listeners = [new ControllerRegistrationRequest.Listener { Name = "CONTROLLER", Host = "127.0.0.1", Port = (ushort)_node.ControllerPort, SecurityProtocol = 0 }],
        };
        Assert.Equal((short)ErrorCode.None, (await connection.RequestAsync<ControllerRegistrationResponse>(Registration(1), 0)).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidRequest, (await connection.RequestAsync<ControllerRegistrationResponse>(Registration(5), 0)).ErrorCode);
    }

    private sealed class RemoteController(ControllerAddress? address) : IActiveController
    {
        public bool IsLocal => false;
        public ControllerAddress? Current => address;
    }

    /// <summary>A broker-side CreateTopics handler whose active controller is elsewhere: the request goes over the controller channel.</summary>
    private static async Task<CreateTopicsResponse> CreateThroughForwardingAsync(ControllerAddress? controller, string topic)
    {
        var config = ConfigFixtures.Build(("process.roles", "broker"), ("node.id", "9"), ("listeners", "PLAINTEXT://127.0.0.1:0"));
        var active = new RemoteController(controller);
        await using var channel = new ControllerChannel(active, "forwarding-test", TimeSpan.FromSeconds(5), NullLogger.Instance);
        var services = new BrokerServices(config, "unused", null!, null!, null!, new FeatureLevels(), NullLoggerFactory.Instance, null!)
        {
            ActiveController = active, ForwardingChannel = channel,
        };
        var request = new CreateTopicsRequest { Topics = [new CreateTopicsRequest.CreatableTopic { Name = topic, NumPartitions = 2, ReplicationFactor = 1 }] };
        var api = KafkaConnection.Api(ApiKey.CreateTopics);
        var context = new RequestContext(new RequestHeader { RequestApiKey = (short)ApiKey.CreateTopics, RequestApiVersion = 5 }, api, "PLAINTEXT", null, 1);
        return (CreateTopicsResponse)(await new CreateTopicsHandler(services).HandleAsync(context, request, CancellationToken.None))!;
    }

    [Fact]
    public async Task A_node_that_is_not_the_active_controller_forwards_create_topics_to_it_at_the_clients_version()
    {
        Watch(_node);
        var topic = UniqueTopic("forwarded");
        var response = await CreateThroughForwardingAsync(new ControllerAddress(1, "127.0.0.1", _node.ControllerPort), topic);
        var result = Assert.Single(response.Topics);
        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        Assert.Equal(2, result.NumPartitions);

        var listed = await AdminClients.ConfluentAsync(_node, "list-topics");
        Assert.Contains(listed, t => (string?)t["topic"] == topic);
    }

    [Fact]
    public async Task Without_a_reachable_controller_forwarded_requests_fail_with_not_controller()
    {
        var unreachable = await CreateThroughForwardingAsync(new ControllerAddress(3, "127.0.0.1", Cli.FreePorts.Next()), "nowhere");
        Assert.Equal((short)ErrorCode.NotController, Assert.Single(unreachable.Topics).ErrorCode);
        var unknown = await CreateThroughForwardingAsync(null, "nowhere");
        Assert.Equal((short)ErrorCode.NotController, Assert.Single(unknown.Topics).ErrorCode);
    }
}
