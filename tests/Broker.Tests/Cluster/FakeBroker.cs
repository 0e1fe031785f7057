using Broker.Broker.Tests.Cli;
using Broker.Broker.Tests.EndToEnd;
using Broker.Handlers;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;

namespace Broker.Broker.Tests.Cluster;

/// <summary>
/// A broker that exists only on the controller listener: the test registers it with
/// BrokerRegistration and keeps it alive with BrokerHeartbeat over a raw connection, so a single
/// real node sees a cluster of several brokers. It advertises <see cref="Port"/>, which either
/// nobody listens on (clients fail to connect, harmlessly) or, when given, the real node's port.
/// </summary>
public sealed class FakeBroker : IAsyncDisposable
{
    private readonly KafkaConnection _connection;
    private readonly CancellationTokenSource _stop = new();
    private Task? _heartbeats;

    private FakeBroker(int id, KafkaConnection connection, int port)
    {
        Id = id;
        _connection = connection;
        Port = port;
    }

    public int Id { get; }

    public int Port { get; }

    public long Epoch { get; private set; } = -1;

    /// <summary>Registers broker <paramref name="id"/> and heartbeats until the controller unfences it, then keeps heartbeating.</summary>
    public static Task<FakeBroker> StartAsync(E2EBroker node, string clusterId, int id, string? rack = null, int? advertisedPort = null) =>
        StartAsync(node.ControllerPort, () => node.Logs, clusterId, id, rack, advertisedPort);

    /// <summary>As above, against any node's controller listener; <paramref name="logs"/> explains a failure.</summary>
    public static async Task<FakeBroker> StartAsync(int controllerPort, Func<string> logs, string clusterId, int id, string? rack = null, int? advertisedPort = null)
    {
        var connection = await KafkaConnection.ConnectAsync(controllerPort);
        var broker = new FakeBroker(id, connection, advertisedPort ?? FreePorts.Next());
        var request = new BrokerRegistrationRequest { BrokerId = id, ClusterId = clusterId, IncarnationId = Uuid.Random(), Rack = rack };
        request.Listeners.Add(new BrokerRegistrationRequest.Listener { Name = "PLAINTEXT", Host = "127.0.0.1", Port = (ushort)broker.Port, SecurityProtocol = 0 });
        request.Features.Add(new BrokerRegistrationRequest.Feature
        {
            Name = FeatureLevels.MetadataVersion, MinSupportedVersion = FeatureLevels.MinimumMetadataVersion, MaxSupportedVersion = FeatureLevels.LatestMetadataVersion,
        });
        var registered = await connection.RequestAsync<BrokerRegistrationResponse>(request, 4);
        Assert.True(registered.ErrorCode == 0, $"registration of fake broker {id}: {(ErrorCode)registered.ErrorCode}\n{logs()}");
        broker.Epoch = registered.BrokerEpoch;

        var deadline = DateTime.UtcNow + KafkaConnection.Deadline;
        while ((await broker.HeartbeatAsync()).IsFenced)
        {
            Assert.True(DateTime.UtcNow < deadline, $"fake broker {id} was not unfenced\n{logs()}");
            await Task.Delay(50);
        }
        broker._heartbeats = broker.HeartbeatLoopAsync(broker._stop.Token);
        return broker;
    }

    /// <summary>One heartbeat; the fake broker claims to have applied every metadata record.</summary>
    public Task<BrokerHeartbeatResponse> HeartbeatAsync(bool wantShutDown = false) =>
        _connection.RequestAsync<BrokerHeartbeatResponse>(new BrokerHeartbeatRequest
        {
            BrokerId = Id, BrokerEpoch = Epoch, CurrentMetadataOffset = long.MaxValue, WantShutDown = wantShutDown,
        }, 1);

    private async Task HeartbeatLoopAsync(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(200, stop);
                await HeartbeatAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Stops heartbeating, as a crashed broker would; the controller fences it after the session timeout.</summary>
    public async Task StopHeartbeatsAsync()
    {
        await _stop.CancelAsync();
        if (_heartbeats is not null)
            await _heartbeats;
    }

    public async ValueTask DisposeAsync()
    {
        await StopHeartbeatsAsync();
        _connection.Dispose();
        _stop.Dispose();
    }
}
