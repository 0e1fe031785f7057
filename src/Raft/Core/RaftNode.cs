using Broker.Protocol;

namespace Broker.Raft.Core;

/// <summary>
/// One KRaft replica as a deterministic state machine (the etcd/raft style): inputs are
/// <see cref="Step"/> (a received message), <see cref="Tick"/> (time passed), <see cref="Propose"/>,
/// <see cref="Resign"/> and <see cref="CreateSnapshot"/>; every input takes the current time. The
/// outputs collect in a <see cref="RaftReady"/> the driver takes, persists, applies and sends.
/// No threads, no I/O, no clock and no randomness of its own.
/// </summary>
public sealed partial class RaftNode
{
    private readonly RaftConfig _config;
    private readonly Random _random;
    private readonly RaftLog _log;
    private RaftReady _ready = new();
    private long _now;

    private int _epoch;
    private int _leaderId = -1;
    private int _votedId = -1;
    private bool _quorumStateDirty;
    private LeaderAndEpoch _notifiedLeader = new(-2, -1);

    private long _highWatermark;
    private long _appliedOffset;   // next offset the state machine has not seen
    private long _durableEndOffset;
    private bool _snapshotToLoad;

    private long _electionDeadline = long.MaxValue;
    private long _fetchDeadline = long.MaxValue;
    private long _lastLeaderContact = long.MinValue / 2;
    private readonly HashSet<int> _grants = new();

    /// <summary>Starts (or restarts) a node from what survived on disk.</summary>
    public RaftNode(RaftConfig config, Random random, QuorumState state, RaftLog log, long now)
    {
        _config = config;
        _random = random;
        _log = log;
        _now = now;
        _epoch = state.LeaderEpoch;
        _votedId = state.VotedId;
        _durableEndOffset = log.EndOffset;
        if (log.Snapshot is { } snap)
        {
            _highWatermark = snap.EndOffset;
            _snapshotToLoad = true;
        }
        _appliedOffset = _highWatermark;

        if (state.LeaderId == config.NodeId)
        {
            // A restarted leader may have lost its unflushed tail: it must not lead this epoch again.
            _leaderId = config.NodeId;
            _votedId = config.NodeId;
            Role = RaftRole.Resigned;
            _electionDeadline = now + RandomElectionTimeout();
            foreach (var v in OtherVoters)
                Send(v, new EndQuorumEpochRequest(config.NodeId, _epoch, []));
        }
        else if (state.LeaderId >= 0)
            BecomeFollower(state.LeaderEpoch, state.LeaderId);
        else
            BecomeUnattached(state.LeaderEpoch, state.VotedId);
        // The only voter has nobody to wait for: it campaigns at its first tick (Kafka does the same).
        if (config.IsVoter && config.Voters.Count == 1 && Role != RaftRole.Leader)
            _electionDeadline = now;
        _quorumStateDirty = false;
    }

    public int NodeId => _config.NodeId;
    public RaftConfig Config => _config;
    public RaftRole Role { get; private set; }
    public int Epoch => _epoch;
    /// <summary>The leader this node follows or is; -1 otherwise (a prospective voter keeps the old one only to refuse votes).</summary>
    public int LeaderId => KnownLeader;
    private int KnownLeader => Role is RaftRole.Leader or RaftRole.Follower ? _leaderId : -1;
    public int VotedId => _votedId;
    public long HighWatermark => _highWatermark;
    public RaftLog Log => _log;
    public bool IsLeader => Role == RaftRole.Leader;
    public QuorumState QuorumState => new(_epoch, _leaderId, _votedId);

    /// <summary>True when there is something for the driver to do.</summary>
    public bool HasReady => !CollectReady().IsEmpty;

    /// <summary>Hands over everything accumulated since the last call; follow with <see cref="Advance"/>.</summary>
    public RaftReady TakeReady()
    {
        var ready = CollectReady();
        _ready = new RaftReady();
        _quorumStateDirty = false;
        if (ready.LeaderChange is { } l) _notifiedLeader = l;
        if (ready.LoadSnapshot is { } load)
        {
            _snapshotToLoad = false;
            _appliedOffset = Math.Max(_appliedOffset, load.Id.EndOffset);
        }
        if (ready.Committed.Count > 0) _appliedOffset = ready.Committed[^1].NextOffset;
        return ready;
    }

    /// <summary>The driver made <paramref name="ready"/> durable and delivered it.</summary>
    public void Advance(RaftReady ready)
    {
        _durableEndOffset = Math.Min(ready.DurableEndOffset, _log.EndOffset);
        if (Role == RaftRole.Leader) MaybeAdvanceHighWatermark();
    }

    private RaftReady CollectReady()
    {
        var r = _ready;
        r.QuorumState = _quorumStateDirty ? QuorumState : null;
        var leader = new LeaderAndEpoch(KnownLeader, _epoch);
        r.LeaderChange = leader != _notifiedLeader ? leader : null;
        r.HighWatermark = _highWatermark;
        r.DurableEndOffset = _log.EndOffset;
        r.LoadSnapshot = _snapshotToLoad && _log.Snapshot is { } snap ? (snap, _log.SnapshotData!) : null;
        r.Committed.Clear();
        var from = _snapshotToLoad && _log.Snapshot is { } s ? s.EndOffset : _appliedOffset;
        if (_highWatermark > from && from >= _log.StartOffset)
            r.Committed.AddRange(_log.Read(from, int.MaxValue, _highWatermark));
        return r;
    }

    /// <summary>Time passed: fires election, fetch and leader timers.</summary>
    public void Tick(long now)
    {
        _now = now;
        switch (Role)
        {
            case RaftRole.Leader:
                LeaderTick();
                break;
            case RaftRole.Follower:
                FollowerTick();
                break;
            default:
                if (!_config.IsVoter)
                {
                    ObserverDiscoveryTick();
                    break;
                }
                if (now < _electionDeadline) break;
                // A prospective that had a leader goes back to fetching from it (KIP-996); the rest campaign.
                if (Role == RaftRole.Prospective && _leaderId >= 0 && _leaderId != _config.NodeId)
                    BecomeFollower(_epoch, _leaderId);
                else
                    BecomeProspective();
                break;
        }
    }

    /// <summary>A message arrived.</summary>
    public void Step(RaftMessage message, long now)
    {
        _now = now;
        if (message.To != _config.NodeId) return;
        switch (message.Body)
        {
            case VoteRequest r: HandleVoteRequest(message.From, r); break;
            case VoteResponse r: HandleVoteResponse(message.From, r); break;
            case BeginQuorumEpochRequest r: HandleBeginQuorumEpoch(message.From, r); break;
            case BeginQuorumEpochResponse r: HandleBeginQuorumEpochResponse(message.From, r); break;
            case EndQuorumEpochRequest r: HandleEndQuorumEpoch(message.From, r); break;
            case EndQuorumEpochResponse r: ObserveLeader(r.LeaderEpoch, r.LeaderId); break;
            case FetchRequest r: HandleFetchRequest(message.From, r); break;
            case FetchResponse r: HandleFetchResponse(message.From, r); break;
            case FetchSnapshotRequest r: HandleFetchSnapshotRequest(message.From, r); break;
            case FetchSnapshotResponse r: HandleFetchSnapshotResponse(message.From, r); break;
        }
    }

    private void Send(int to, RaftRpc body) => _ready.Messages.Add(new RaftMessage(_config.NodeId, to, body));

    private void PersistQuorumState() => _quorumStateDirty = true;

    private long RandomElectionTimeout() =>
        _config.ElectionTimeoutMs + _random.Next(_config.ElectionTimeoutMs);

    private IEnumerable<int> OtherVoters => _config.Voters.Where(v => v != _config.NodeId);

    private static bool Granted(ErrorCode error) => error == ErrorCode.None;
}
