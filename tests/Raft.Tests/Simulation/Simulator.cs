using System.Buffers.Binary;
using Broker.Raft.Core;

namespace Broker.Raft.Tests.Simulation;

/// <summary>
/// A seeded, single-threaded cluster: virtual time, a priority queue of events, a network that
/// delays, drops, duplicates, reorders and partitions, and crashes that lose unflushed writes.
/// The same seed replays the same run.
/// </summary>
public sealed class Simulator
{
    private readonly SimOptions _options;
    private readonly Random _rng;
    private readonly PriorityQueue<Action, (long Time, long Seq)> _events = new();
    private readonly SimNodeHost[] _hosts;
    private readonly int[] _voterIds;
    private readonly bool[,] _blocked;
    private readonly SafetyChecker _checker = new();
    private long _now;
    private long _seq;
    private long _nextPayload;
    private bool _chaos = true;
    private int _eventsSinceLogCheck;

    public Simulator(SimOptions options)
    {
        _options = options;
        _rng = new Random(options.Seed);
        _voterIds = Enumerable.Range(1, options.Voters).ToArray();
        var count = options.Voters + options.Observers;
        _hosts = new SimNodeHost[count + 1];
        _blocked = new bool[count + 1, count + 1];
        for (var id = 1; id <= count; id++)
        {
            _hosts[id] = new SimNodeHost(id, options.NodeConfig(id, _voterIds), new SimDisk { ForgetsQuorumState = id == options.ForgetsVotes });
            Start(_hosts[id]);
            ScheduleTick(id, _rng.Next(options.TickMs));
        }
    }

    public SafetyChecker Checker => _checker;
    public long EventCount { get; private set; }
    public SimStats Stats { get; } = new();

    /// <summary>Runs the chaos phase, then heals everything and demands progress.</summary>
    public void Run()
    {
        Schedule(Next(1000.0 / _options.ProposeEveryMs), ProposeTick);
        Schedule(Next(_options.CrashPerSecond), CrashTick);
        Schedule(Next(_options.PartitionPerSecond), PartitionTick);
        Schedule(Next(_options.ResignPerSecond), ResignTick);
        Schedule(Next(_options.SnapshotPerSecond), SnapshotTick);
        RunUntil(_options.ChaosMs);

        _chaos = false;
        Array.Clear(_blocked);
        foreach (var h in Hosts)
            if (h.Node is null) Start(h);
        CheckLiveness();
        CheckAllLogs();
    }

    private IEnumerable<SimNodeHost> Hosts => _hosts.Skip(1);

    private void RunUntil(long until)
    {
        while (_events.TryPeek(out _, out var key) && key.Time <= until)
        {
            var action = _events.Dequeue();
            _now = key.Time;
            action();
            EventCount++;
            if (++_eventsSinceLogCheck >= 200)
            {
                _eventsSinceLogCheck = 0;
                CheckAllLogs();
            }
        }
        _now = Math.Max(_now, until);
    }

    private void CheckLiveness()
    {
        var deadline = _now + _options.LivenessMs;
        while (_now < deadline)
        {
            RunUntil(_now + 50);
            var leader = Hosts.FirstOrDefault(h => h.Node is { IsLeader: true });
            if (leader is null) continue;
            var marker = NextPayload();
            var offset = leader.Node!.Propose([marker], _now);
            Drain(leader);
            if (offset < 0) continue;
            // The marker may be lost with a leader still stepping down; then propose again.
            var retryAt = Math.Min(deadline, _now + 2_000);
            while (_now < retryAt)
            {
                RunUntil(_now + 50);
                if (Hosts.All(h => h.Machine.Applied > offset)) return;
            }
        }
        var state = string.Join(", ", Hosts.Select(h =>
            $"{h.Id}:{h.Node?.Role}@{h.Node?.Epoch} applied {h.Machine.Applied} HW {h.Node?.HighWatermark} LEO {h.Node?.Log.EndOffset}"));
        var quorum = Hosts.Select(h => h.Node?.DescribeQuorum(_now)).FirstOrDefault(q => q is not null);
        if (quorum is not null)
            state += "; leader sees " + string.Join(", ", quorum.Voters.Concat(quorum.Observers).Select(r => $"{r.ReplicaId}@{r.LogEndOffset}"));
        throw new SimulationFailure($"liveness: no proposal committed on every node within {_options.LivenessMs} ms of healing ({state})");
    }

    private void CheckAllLogs() =>
        SafetyChecker.CheckLogMatching(Hosts.Select(h => (h.Id, h.Node?.Log ?? h.Disk.Log)).ToList());

    // ---- events ----

    private void Schedule(long delay, Action action) => _events.Enqueue(action, (_now + delay, _seq++));

    private void ScheduleAt(long time, Action action) => _events.Enqueue(action, (time, _seq++));

    private long Next(double perSecond) => perSecond <= 0 ? long.MaxValue / 4 : 1 + (long)(-Math.Log(1 - _rng.NextDouble()) * 1000 / perSecond);

    private void ScheduleTick(int id, long delay) => ScheduleAt(_now + delay, () =>
    {
        var h = _hosts[id];
        if (h.Node is { } node)
        {
            node.Tick(_now);
            Drain(h);
        }
        ScheduleTick(id, _options.TickMs);
    });

    private void ProposeTick()
    {
        if (!_chaos) return;
        foreach (var h in Hosts)
        {
            if (h.Node is not { IsLeader: true } node) continue;
            var records = new List<byte[]>();
            for (var i = _rng.Next(1, 4); i > 0; i--) records.Add(NextPayload());
            node.Propose(records, _now);
            Drain(h);
        }
        Schedule(_options.ProposeEveryMs, ProposeTick);
    }

    private void CrashTick()
    {
        if (!_chaos) return;
        var h = _hosts[1 + _rng.Next(_hosts.Length - 1)];
        if (h.Node is not null)
        {
            Stats.Crashes++;
            Crash(h);
            ScheduleAt(_now + 50 + _rng.Next(600), () => { if (h.Node is null && _chaos) Start(h); });
        }
        Schedule(Next(_options.CrashPerSecond), CrashTick);
    }

    private void PartitionTick()
    {
        if (!_chaos) return;
        Array.Clear(_blocked);
        var n = _hosts.Length - 1;
        switch (_rng.Next(4))
        {
            case 0: break; // healed
            case 1: // isolate one node both ways
                var x = 1 + _rng.Next(n);
                for (var y = 1; y <= n; y++) _blocked[x, y] = _blocked[y, x] = true;
                break;
            case 2: // split in two groups
                var side = new bool[n + 1];
                for (var i = 1; i <= n; i++) side[i] = _rng.Next(2) == 0;
                for (var i = 1; i <= n; i++)
                for (var j = 1; j <= n; j++)
                    _blocked[i, j] = side[i] != side[j];
                break;
            case 3: // one-way links
                for (var k = _rng.Next(1, 4); k > 0; k--) _blocked[1 + _rng.Next(n), 1 + _rng.Next(n)] = true;
                break;
        }
        Schedule(Next(_options.PartitionPerSecond), PartitionTick);
    }

    private void ResignTick()
    {
        if (!_chaos) return;
        foreach (var h in Hosts)
        {
            if (h.Node is not { IsLeader: true } node) continue;
            node.Resign(_now);
            Drain(h);
        }
        Schedule(Next(_options.ResignPerSecond), ResignTick);
    }

    private void SnapshotTick()
    {
        if (!_chaos) return;
        var h = _hosts[1 + _rng.Next(_hosts.Length - 1)];
        if (h.Node is { } node && h.Machine.Applied > (node.Log.Snapshot?.EndOffset ?? 0))
        {
            node.CreateSnapshot(h.Machine.Applied, h.Machine.Snapshot(), deleteLogPrefix: _rng.Next(2) == 0);
            Drain(h);
        }
        Schedule(Next(_options.SnapshotPerSecond), SnapshotTick);
    }

    // ---- nodes ----

    private void Start(SimNodeHost h)
    {
        h.Restarts++;
        h.Machine = new SimStateMachine();
        var random = new Random(_options.Seed * 7919 + h.Id * 104729 + h.Restarts);
        h.Node = new RaftNode(h.Config, random, h.Disk.QuorumState, h.Disk.LoadLog(), _now);
        Drain(h);
    }

    private void Crash(SimNodeHost h) => h.Node = null;

    /// <summary>Persist, apply, send, advance — the driver loop — with a chance of crashing mid-flush.</summary>
    private void Drain(SimNodeHost h)
    {
        while (h.Node is { } node && node.HasReady)
        {
            var ready = node.TakeReady();
            if (ready.MustPersist && _chaos && _rng.NextDouble() < _options.CrashDuringFlush)
            {
                h.Disk.Persist(ready, _rng.Next(SimDisk.WriteCount(ready) + 1));
                Stats.CrashesMidFlush++;
                Crash(h);
                ScheduleAt(_now + 50 + _rng.Next(300), () => { if (h.Node is null) Start(h); });
                return;
            }
            h.Disk.Persist(ready);
            foreach (var op in ready.LogOps)
            {
                if (op is TruncateOp) Stats.Truncations++;
                else if (op is ResetToSnapshotOp) Stats.SnapshotInstalls++;
                else if (op is StoreSnapshotOp) Stats.SnapshotsTaken++;
            }
            if (ready.Messages.Any(m => m.Body is EndQuorumEpochRequest)) Stats.Resignations++;
            if (ready.LoadSnapshot is { } snap)
            {
                h.Machine.Load(snap.Id, snap.Data);
                _checker.ObserveSnapshotLoad(h.Id, snap.Id, h.Machine.Chain);
            }
            foreach (var batch in ready.Committed)
                for (var i = 0; i < batch.Records.Count; i++)
                {
                    var identity = SimStateMachine.Identity(batch.Epoch, batch.Records[i]);
                    _checker.ObserveApply(h.Id, batch.BaseOffset + i, identity, h.Machine.Chain);
                    h.Machine.Apply(batch.BaseOffset + i, identity);
                }
            if (node.IsLeader)
            {
                _checker.ObserveLeader(node);
                _checker.ObserveCommit(node, ready.HighWatermark);
            }
            if (ready.HighWatermark < h.LastHighWatermark && h.NodeGeneration == h.Restarts)
                throw new SimulationFailure($"node {h.Id} high watermark went back from {h.LastHighWatermark} to {ready.HighWatermark}");
            h.LastHighWatermark = ready.HighWatermark;
            h.NodeGeneration = h.Restarts;
            foreach (var m in ready.Messages) Send(m);
            node.Advance(ready);
        }
    }

    private void Send(RaftMessage message)
    {
        if (message.From == _options.LyingCandidate && message.Body is VoteRequest vote)
            message = message with { Body = vote with { LastOffsetEpoch = int.MaxValue, LastOffset = long.MaxValue } };
        if (!_chaos)
        {
            Deliver(message, _options.MinDelayMs + _rng.Next(_options.MaxDelayMs - _options.MinDelayMs + 1));
            return;
        }
        if (_blocked[message.From, message.To] || _rng.NextDouble() < _options.LossRate) return;
        Deliver(message, _options.MinDelayMs + _rng.Next(_options.MaxDelayMs - _options.MinDelayMs + 1));
        if (_rng.NextDouble() < _options.DuplicateRate)
            Deliver(message, _options.MinDelayMs + _rng.Next(3 * _options.MaxDelayMs));
    }

    private void Deliver(RaftMessage message, long delay) => ScheduleAt(_now + delay, () =>
    {
        var h = _hosts[message.To];
        if (h.Node is not { } node) return;
        if (_chaos && _blocked[message.From, message.To]) return;
        node.Step(message, _now);
        Drain(h);
    });

    private byte[] NextPayload()
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, ++_nextPayload);
        return bytes;
    }

    public sealed class SimStats
    {
        public int Crashes, CrashesMidFlush, Truncations, SnapshotInstalls, SnapshotsTaken, Resignations;
        public override string ToString() =>
            $"crashes {Crashes} (mid-flush {CrashesMidFlush}), truncations {Truncations}, snapshots taken {SnapshotsTaken}, installed {SnapshotInstalls}, resignations {Resignations}";
    }

    private sealed class SimNodeHost(int id, RaftConfig config, SimDisk disk)
    {
        public int Id { get; } = id;
        public RaftConfig Config { get; } = config;
        public SimDisk Disk { get; } = disk;
        public RaftNode? Node { get; set; }
        public SimStateMachine Machine { get; set; } = new();
        public int Restarts { get; set; }
        public int NodeGeneration { get; set; }
        public long LastHighWatermark { get; set; }
    }
}
