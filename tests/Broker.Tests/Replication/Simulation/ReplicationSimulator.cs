using Broker.Broker.Tests.Config;
using Broker.Config;
using Broker.Log;
using Broker.Metadata;
using Broker.Protocol;
using Broker.Protocol.Records;
using Broker.Replication;
using Microsoft.Extensions.Logging.Abstractions;

namespace Broker.Broker.Tests.Replication.Simulation;

/// <summary>What one seeded run does; <see cref="BrokenLeader"/> is a leader that commits without its followers.</summary>
public sealed record ReplSimOptions(int Seed)
{
    public int Steps { get; init; } = 1500;
    public bool BrokenLeader { get; init; }

    /// <summary>Chance per 10 ms step that a running node crashes (while another still runs).</summary>
    public double CrashPerStep { get; init; } = 0.006;
}

/// <summary>A safety property the simulation saw broken.</summary>
public sealed class ReplicationFailure(string message) : Exception(message);

/// <summary>
/// A seeded, single-threaded simulation of one partition on three nodes and its controller: the real
/// <see cref="Partition"/> and <see cref="PartitionLog"/> (on disk under /dev/shm) driven by a simulated
/// clock and network that delays, drops and duplicates messages, with crashes, restarts, fencing and
/// leader moves. <see cref="ReplicationChecker"/> checks the safety properties after every 10 ms step.
/// </summary>
public sealed partial class ReplicationSimulator : IDisposable
{
    private const int StepMs = 10;
    private const long SessionTimeoutMs = 400;
    private static readonly TopicPartition Tp = new("sim", 0);

    private readonly ReplSimOptions _options;
    private readonly Random _random;
    private readonly string _root;
    private readonly TopicConfig _topicConfig;
    private readonly LogConfig _logConfig;
    private readonly PriorityQueue<Action, (long, long)> _network = new();
    private long _sequence;
    private long _nextBrokerEpoch = 1;
    private int _produced;

    public SimNode[] Nodes { get; }
    public SimController Controller { get; }
    public ReplicationChecker Checker { get; }
    public long NowMs { get; private set; }
    public SimStats Stats { get; } = new();

    public ReplicationSimulator(ReplSimOptions options)
    {
        _options = options;
        _random = new Random(options.Seed);
        _root = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"replsim-{Environment.ProcessId}-{options.Seed}-{Guid.NewGuid():N}");
        var broker = ConfigFixtures.Build(("min.insync.replicas", "2"));
        _topicConfig = TopicConfigDefinitions.Resolve(broker, new Dictionary<string, string>());
        // Small segments so logs roll and truncation crosses segment boundaries.
        _logConfig = LogConfigs.From(_topicConfig) with { SegmentBytes = 16384, SegmentIndexBytes = 4096 };
        Nodes = [.. Enumerable.Range(1, 3).Select(id => new SimNode(id))];
        Controller = new SimController(this, [1, 2, 3]);
        Checker = new ReplicationChecker(this);
        foreach (var node in Nodes)
            Start(node);
    }

    public SimNode Node(int id) => Nodes[id - 1];

    public void Run()
    {
        for (var step = 0; step < _options.Steps; step++)
        {
            NowMs += StepMs;
            while (_network.TryPeek(out _, out var at) && at.Item1 <= NowMs)
                _network.Dequeue()();
            InjectFaults();
            Controller.Tick(NowMs, _random);
            foreach (var node in Nodes.Where(n => n.Alive))
            {
                if (node.Partition!.Role == PartitionRole.Leader && step % 5 == 0)
                    node.Partition.MaybeShrinkIsr(NowMs);
                if (node.Partition.Role == PartitionRole.Follower && node.Partition.Leader > 0 && NowMs >= node.NextFetchAtMs)
                    Fetch(node);
            }
            if (_random.NextDouble() < 0.4)
                Produce();
            Checker.CheckAcks();
            Checker.CheckStep(fullScan: step % 100 == 0);
        }
        Checker.CheckStep(fullScan: true);
    }

    /// <summary>Runs <paramref name="action"/> after a random network delay, or never when the message is lost.</summary>
    private void Send(Action action, double lossRate = 0.05)
    {
        if (_random.NextDouble() < lossRate)
        {
            Stats.Lost++;
            return;
        }
        At(NowMs + _random.Next(1, 30), action);
    }

    private void At(long timeMs, Action action) => _network.Enqueue(action, (timeMs, _sequence++));

    private void InjectFaults()
    {
        var alive = Nodes.Where(n => n.Alive).ToList();
        if (alive.Count > 1 && _random.NextDouble() < _options.CrashPerStep)
        {
            var victim = alive[_random.Next(alive.Count)];
            Crash(victim);
        }
        foreach (var node in Nodes.Where(n => !n.Alive && NowMs >= n.RestartAtMs))
            Start(node);
    }

    private void Crash(SimNode node)
    {
        Stats.Crashes++;
        // A process crash: the page cache keeps what was written; only what this process held is gone.
        node.HighWatermarkCheckpoint = node.Partition!.Log.HighWatermark;
        node.Partition.Log.CloseHandles();
        node.Partition = null;
        node.Alive = false;
        node.Incarnation++;
        node.CrashedAtMs = NowMs;
        node.RestartAtMs = NowMs + _random.Next(100, 1500);
    }

    private void Start(SimNode node)
    {
        var log = PartitionLog.Open(Path.Combine(_root, $"node{node.Id}", Tp.ToString()), _logConfig,
            new LogCheckpoint(0, 0, node.HighWatermarkCheckpoint, CleanShutdown: false));
        var incarnation = node.Incarnation;
        var context = new ReplicaContext(node.Id, ReplicaLagTimeMaxMs: 300,
            new SimAlterIsrChannel(this, node, incarnation),
            () => node.BrokerEpoch,
            (id, epoch) => Controller.IsEligible(id, epoch),
            NullLogger.Instance);
        node.Partition = new Partition(Tp, log, _topicConfig, context);
        node.Alive = true;
        node.BrokerEpoch = _nextBrokerEpoch++;
        node.NextFetchAtMs = 0;
        node.FetchSequence++;
        Checker.OnStart(node);
        Controller.Register(node.Id, node.BrokerEpoch);
    }

    /// <summary>The controller's image reaches <paramref name="node"/> later, in publication order (the metadata log is replayed in order).</summary>
    public void Publish(SimNode node, PartitionImage image)
    {
        if (!node.Alive)
            return;
        var incarnation = node.Incarnation;
        node.MetadataAtMs = Math.Max(node.MetadataAtMs, NowMs + _random.Next(0, 40));
        At(node.MetadataAtMs, () =>
        {
            if (node.Alive && node.Incarnation == incarnation)
                node.Partition!.Apply(image, NowMs);
        });
    }

    private void Fetch(SimNode follower)
    {
        var partition = follower.Partition!;
        var leaderId = partition.Leader;
        var epoch = partition.LeaderEpoch;
        var (offset, lastEpoch) = partition.FetchPosition;
        var sequence = ++follower.FetchSequence;
        var incarnation = follower.Incarnation;
        // A lost request or answer is retried after this timeout.
        follower.NextFetchAtMs = NowMs + 200;
        Send(() =>
        {
            var leader = Node(leaderId);
            if (!leader.Alive)
                return;
            var read = leader.Partition!.ReadForFollower(follower.Id, follower.BrokerEpoch, offset, lastEpoch, epoch, 8192, NowMs);
            var data = new LeaderData(read.Error, read.HighWatermark, read.LogStartOffset, read.DivergingEpoch, read.DivergingEndOffset,
                read.Records.IsEmpty ? ReadOnlyMemory<byte>.Empty : read.Records.ToArray());
            Send(() =>
            {
                if (!follower.Alive || follower.Incarnation != incarnation || follower.FetchSequence != sequence)
                    return;
                var result = follower.Partition!.ApplyFromLeader(epoch, data);
                if (result == FollowerStep.Truncated)
                    Stats.Truncations++;
                follower.NextFetchAtMs = NowMs + (result == FollowerStep.Backoff ? 50 : _random.Next(0, 30));
            });
        });
    }

    private void Produce()
    {
        var leaders = Nodes.Where(n => n.Alive && n.Partition!.Role == PartitionRole.Leader).ToList();
        if (leaders.Count == 0)
            return;
        var node = leaders[_random.Next(leaders.Count)];
        var partition = node.Partition!;
        var batch = BuildBatch(++_produced, 1 + _random.Next(3));
        lock (partition.AppendLock)
        {
            if (partition.Role != PartitionRole.Leader || partition.InSyncReplicaCount < _topicConfig.MinInsyncReplicas)
                return;
            var info = partition.Log.Append(batch, partition.LeaderEpoch);
            partition.AfterLeaderAppend();
            if (_options.BrokenLeader)
                partition.Log.UpdateHighWatermark(partition.Log.LogEndOffset);
            Checker.OnAppended(node, partition.LeaderEpoch, info.FirstOffset, info.LastOffset);
        }
    }

    private static byte[] BuildBatch(int id, int records)
    {
        using var builder = new RecordBatchBuilder();
        for (var i = 0; i < records; i++)
            builder.Append(1_000 + id, BitConverter.GetBytes(id), BitConverter.GetBytes(id * 10 + i));
        using var built = builder.Build();
        return built.WrittenSpan.ToArray();
    }

    public void Dispose()
    {
        foreach (var node in Nodes.Where(n => n.Alive))
            node.Partition!.Log.CloseHandles();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Where a node's ISR proposals go: the simulated controller, over a lossy network, retried until answered.</summary>
    private sealed class SimAlterIsrChannel(ReplicationSimulator sim, SimNode node, int incarnation) : IAlterIsrChannel
    {
        public void Submit(AlterIsrRequest request)
        {
            // Called under the partition's lock: the request leaves on the network, never inline.
            var answered = false;
            void Attempt()
            {
                if (node.Incarnation != incarnation || answered)
                    return;
                sim.At(sim.NowMs + 150, Attempt);
                sim.Send(() =>
                {
                    var outcome = sim.Controller.AlterIsr(request);
                    if (sim._random.NextDouble() < 0.05)
                        sim.Controller.AlterIsr(request); // a duplicate delivery
                    sim.Send(() =>
                    {
                        if (node.Incarnation != incarnation || answered)
                            return;
                        answered = true;
                        request.Complete(outcome);
                    });
                });
            }
            Attempt();
        }
    }

    public sealed class SimStats
    {
        public int Crashes;
        public int Lost;
        public int Truncations;
        public int Elections;
        public int IsrChanges;
        public int Acked;

        public override string ToString() =>
            $"crashes {Crashes}, lost {Lost}, truncations {Truncations}, elections {Elections}, ISR changes {IsrChanges}, acked {Acked}";
    }
}

/// <summary>One simulated broker: its partition while running, and what survives a crash.</summary>
public sealed class SimNode(int id)
{
    public int Id { get; } = id;
    public Partition? Partition { get; set; }
    public bool Alive { get; set; }
    public int Incarnation { get; set; }
    public long BrokerEpoch { get; set; } = -1;
    public long HighWatermarkCheckpoint { get; set; }
    public long CrashedAtMs { get; set; }
    public long RestartAtMs { get; set; }
    public long NextFetchAtMs { get; set; }
    public long FetchSequence { get; set; }
    public long MetadataAtMs { get; set; }
}
