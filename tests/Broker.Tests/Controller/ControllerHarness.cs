using Broker.Broker.Tests.Config;
using Broker.Controller;
using Broker.Handlers;
using Broker.Metadata;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;
using Microsoft.Extensions.Logging.Abstractions;

namespace Broker.Broker.Tests.Controller;

/// <summary>A clock that moves only when the test says so.</summary>
public sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>A metadata log in memory: every record gets the next offset, as in __cluster_metadata.</summary>
public sealed class MemoryMetadataLog : IMetadataLog
{
    private readonly List<CommittedBatch> _batches = [];
    private long _next;

    public ValueTask<long> AppendAsync(IReadOnlyList<VersionedRecord> records, CancellationToken cancel)
    {
        _next += records.Count;
        _batches.Add(new CommittedBatch(_next - 1, records.Select(r => r.Record).ToArray()));
        return ValueTask.FromResult(_next - 1);
    }

    public IEnumerable<CommittedBatch> ReadCommitted() => _batches;

    public IEnumerable<IKafkaMessage> Records => _batches.SelectMany(b => b.Records);
}

/// <summary>
/// An active controller over an in-memory log with a manual clock, and the broker-side requests
/// a test sends to it. Session timeout 9 s as Kafka's default.
/// </summary>
public sealed class ControllerHarness
{
    public const string ClusterId = "MkU3OEVBNTcwNTJENDM2Qg";
    public static readonly TimeSpan SessionTimeout = TimeSpan.FromMilliseconds(9000);

    public ManualClock Clock { get; } = new();
    public MemoryMetadataLog Log { get; } = new();
    public MetadataCache Cache { get; } = new(ClusterId);
    public QuorumController Controller { get; }

    private ControllerHarness()
    {
        Controller = new QuorumController(Log, Cache, ConfigFixtures.Build(("broker.session.timeout.ms", "9000")),
            NullLogger.Instance, Clock);
    }

    /// <param name="history">Records already committed before this controller became active.</param>
    public static async Task<ControllerHarness> StartAsync(params IKafkaMessage[] history)
    {
        var harness = new ControllerHarness();
        if (history.Length > 0)
            await harness.Log.AppendAsync(history.Select(VersionedRecord.Latest).ToArray(), CancellationToken.None);
        harness.Controller.Load();
        await harness.Controller.ActivateAsync(CancellationToken.None);
        return harness;
    }

    public MetadataImage Image => Cache.Current;

    public BrokerImage Broker(int id) => Image.Brokers[id];

    public PartitionImage Partition(string topic, int partition) => Image.Topic(topic)!.Partitions[partition];

    public static BrokerRegistrationRequest Registration(int id, string? rack = null, Uuid? incarnation = null, string clusterId = ClusterId)
    {
        var request = new BrokerRegistrationRequest
        {
            BrokerId = id, ClusterId = clusterId, IncarnationId = incarnation ?? Uuid.Random(), Rack = rack,
        };
        request.Listeners.Add(new BrokerRegistrationRequest.Listener { Name = "PLAINTEXT", Host = "127.0.0.1", Port = (ushort)(19000 + id), SecurityProtocol = 0 });
        request.Features.Add(new BrokerRegistrationRequest.Feature
        {
            Name = FeatureLevels.MetadataVersion, MinSupportedVersion = FeatureLevels.MinimumMetadataVersion, MaxSupportedVersion = FeatureLevels.LatestMetadataVersion,
        });
        return request;
    }

    public async Task<long> RegisterAsync(int id, string? rack = null, Uuid? incarnation = null)
    {
        var (error, message, epoch) = await Controller.Brokers.RegisterAsync(Registration(id, rack, incarnation), CancellationToken.None);
        Assert.True(error == ErrorCode.None, $"registration of {id}: {error} {message}");
        return epoch;
    }

    public Task<HeartbeatOutcome> HeartbeatAsync(int id, long? epoch = null, long? offset = null, bool wantShutDown = false, bool wantFence = false) =>
        Controller.Brokers.HeartbeatAsync(new BrokerHeartbeatRequest
        {
            BrokerId = id,
            BrokerEpoch = epoch ?? Broker(id).Epoch,
            CurrentMetadataOffset = offset ?? Image.Offset,
            WantShutDown = wantShutDown,
            WantFence = wantFence,
        }, CancellationToken.None);

    /// <summary>Registers the brokers and heartbeats each until unfenced.</summary>
    public async Task StartBrokersAsync(params int[] ids) => await StartBrokersAsync(ids.Select(id => (id, (string?)null)).ToArray());

    public async Task StartBrokersAsync(params (int Id, string? Rack)[] brokers)
    {
        foreach (var (id, rack) in brokers)
        {
            await RegisterAsync(id, rack);
            var outcome = await HeartbeatAsync(id);
            Assert.False(outcome.IsFenced, $"broker {id} stays fenced");
        }
    }

    public async Task<CreateTopicsResponse.CreatableTopicResult> CreateTopicAsync(string name, int partitions, short replicationFactor)
    {
        var response = await Controller.CreateTopicsAsync(new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = name, NumPartitions = partitions, ReplicationFactor = replicationFactor }],
        }, CancellationToken.None);
        return Assert.Single(response.Topics);
    }

    public async Task<CreateTopicsResponse.CreatableTopicResult> CreateTopicAsync(string name, params int[][] assignment)
    {
        var topic = new CreateTopicsRequest.CreatableTopic { Name = name, NumPartitions = -1, ReplicationFactor = -1 };
        for (var p = 0; p < assignment.Length; p++)
            topic.Assignments.Add(new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = p, BrokerIds = [.. assignment[p]] });
        var response = await Controller.CreateTopicsAsync(new CreateTopicsRequest { Topics = [topic] }, CancellationToken.None);
        return Assert.Single(response.Topics);
    }

    /// <summary>
    /// An AlterPartition from <paramref name="sender"/> based on the partition as the image has it
    /// now, unless the test says otherwise; v3 members carry the epochs the image knows.
    /// </summary>
    public Task<AlterPartitionResponse> AlterPartitionAsync(int sender, string topic, int partition, int[] isr, short version = 3,
        long? brokerEpoch = null, int? leaderEpoch = null, int? partitionEpoch = null, sbyte recoveryState = 0,
        IReadOnlyDictionary<int, long>? memberEpochs = null)
    {
        var current = Partition(topic, partition);
        var data = new AlterPartitionRequest.PartitionData
        {
            PartitionIndex = partition,
            LeaderEpoch = leaderEpoch ?? current.LeaderEpoch,
            PartitionEpoch = partitionEpoch ?? current.PartitionEpoch,
            LeaderRecoveryState = recoveryState,
        };
        if (version >= 3)
            data.NewIsrWithEpochs = isr.Select(id => new AlterPartitionRequest.BrokerState
            {
                BrokerId = id,
                BrokerEpoch = memberEpochs?.GetValueOrDefault(id) ?? (Image.Brokers.TryGetValue(id, out var b) ? b.Epoch : -1),
            }).ToList();
        else
            data.NewIsr = [.. isr];
        var request = new AlterPartitionRequest
        {
            BrokerId = sender,
            BrokerEpoch = brokerEpoch ?? (Image.Brokers.TryGetValue(sender, out var s) ? s.Epoch : -1),
            Topics = [new AlterPartitionRequest.TopicData { TopicName = topic, TopicId = Image.Topic(topic)!.Id, Partitions = [data] }],
        };
        return Controller.Isr.AlterPartitionAsync(request, version, CancellationToken.None);
    }

    /// <summary>Moves the clock past the session timeout while <paramref name="alive"/> keep heartbeating.</summary>
    public async Task<IReadOnlyList<int>> ExpireSessionsAsync(params int[] alive)
    {
        for (var step = 0; step < 4; step++)
        {
            Clock.Advance(SessionTimeout / 3);
            foreach (var id in alive)
                Assert.Equal(ErrorCode.None, (await HeartbeatAsync(id)).Error);
        }
        return await Controller.Brokers.FenceExpiredAsync(CancellationToken.None);
    }
}
