using Broker.Protocol;

namespace Broker.Raft.Core;

// The leader: its epoch's first record, replica progress, the high watermark, parked fetches,
// check-quorum and graceful resignation.
public sealed partial class RaftNode
{
    private readonly Dictionary<int, ReplicaProgress> _replicas = new();
    private readonly Dictionary<int, (FetchRequest Request, long Deadline)> _parkedFetches = new();
    private long _epochStartOffset;
    private long _beginQuorumRetryAt;

    /// <summary>Appends client records as one batch; returns its last offset, or -1 when not the leader.</summary>
    public long Propose(IReadOnlyList<byte[]> records, long now)
    {
        _now = now;
        if (Role != RaftRole.Leader || records.Count == 0) return -1;
        var batch = new RaftBatch(_log.EndOffset, _epoch, RaftBatchKind.Data, records);
        AppendAsLeader(batch);
        return batch.LastOffset;
    }

    /// <summary>Graceful shutdown: stop leading and tell the voters who should take over (EndQuorumEpoch).</summary>
    public void Resign(long now)
    {
        _now = now;
        if (Role != RaftRole.Leader) return;
        var successors = _replicas.Values
            .Where(p => p.IsVoter && p.ReplicaId != _config.NodeId)
            .OrderByDescending(p => p.EndOffset).ThenBy(p => p.ReplicaId)
            .Select(p => p.ReplicaId).ToArray();
        LeaveLeadership();
        Role = RaftRole.Resigned;
        _electionDeadline = _now + RandomElectionTimeout();
        foreach (var v in OtherVoters)
            Send(v, new EndQuorumEpochRequest(_config.NodeId, _epoch, successors));
    }

    /// <summary>DescribeQuorum as Kafka's leader answers it; null on any other node (NOT_LEADER_OR_FOLLOWER).</summary>
    public QuorumInfo? DescribeQuorum(long now)
    {
        if (Role != RaftRole.Leader) return null;
        ReplicaInfo Info(ReplicaProgress p) => p.ReplicaId == _config.NodeId
            ? new ReplicaInfo(p.ReplicaId, _log.EndOffset, now, now)
            : new ReplicaInfo(p.ReplicaId, p.EndOffset, p.LastFetchTimestamp, p.LastCaughtUpTimestamp);
        var all = _replicas.Values.OrderBy(p => p.ReplicaId).ToList();
        return new QuorumInfo(_config.NodeId, _epoch, _highWatermark,
            all.Where(p => p.IsVoter).Select(Info).ToList(),
            all.Where(p => !p.IsVoter).Select(Info).ToList());
    }

    private void BecomeLeader()
    {
        Role = RaftRole.Leader;
        _leaderId = _config.NodeId;
        PersistQuorumState();
        _replicas.Clear();
        _parkedFetches.Clear();
        foreach (var v in _config.Voters)
            _replicas[v] = new ReplicaProgress(v, true) { LastFetchTimestamp = _now };
        _electionDeadline = long.MaxValue;
        _epochStartOffset = _log.EndOffset;
        var change = new LeaderChangeRecord(_config.NodeId, _config.Voters, _grants.Order().ToArray());
        AppendAsLeader(new RaftBatch(_log.EndOffset, _epoch, RaftBatchKind.LeaderChange, [change.Encode()]));
        foreach (var v in OtherVoters)
            Send(v, new BeginQuorumEpochRequest(_config.NodeId, _epoch));
        _beginQuorumRetryAt = _now + _config.BeginQuorumRetryMs;
    }

    private void LeaveLeadership()
    {
        if (Role != RaftRole.Leader) return;
        // Parked fetches are dropped: their senders retry and learn the new state from the reply.
        _parkedFetches.Clear();
    }

    private void AppendAsLeader(RaftBatch batch)
    {
        _log.Append(batch);
        _ready.LogOps.Add(new AppendOp(batch));
        CompleteParkedFetches();
    }

    private void LeaderTick()
    {
        foreach (var (id, parked) in _parkedFetches.ToList())
        {
            if (parked.Deadline > _now) continue;
            _parkedFetches.Remove(id);
            AnswerFetch(id, parked.Request, allowPark: false);
        }
        if (_now >= _beginQuorumRetryAt)
        {
            // To voters that never fetched in this epoch, and to those gone quiet: a voter stuck in
            // a higher epoch (a lost election) only tells us so in its reply, and we step down.
            foreach (var p in _replicas.Values)
                if (p.IsVoter && p.ReplicaId != _config.NodeId
                    && ((p.EndOffset < 0 && !p.AckedBeginQuorum) || _now - p.LastFetchTimestamp > _config.FetchTimeoutMs / 2))
                    Send(p.ReplicaId, new BeginQuorumEpochRequest(_config.NodeId, _epoch));
            _beginQuorumRetryAt = _now + _config.BeginQuorumRetryMs;
        }
        // Check quorum: a leader that no majority has fetched from lately steps down.
        var recent = _replicas.Values.Count(p => p.IsVoter && p.ReplicaId != _config.NodeId
                                                 && _now - p.LastFetchTimestamp <= _config.FetchTimeoutMs * 3L / 2);
        if (recent + 1 < _config.Majority) Resign(_now);
    }

    private void HandleBeginQuorumEpochResponse(int from, BeginQuorumEpochResponse r)
    {
        ObserveLeader(r.LeaderEpoch, r.LeaderId);
        if (Role == RaftRole.Leader && r.LeaderEpoch == _epoch && Granted(r.Error) && _replicas.TryGetValue(from, out var p))
            p.AckedBeginQuorum = true;
    }

    /// <summary>
    /// The high watermark is the offset a majority of voters (the leader counting only what it has
    /// flushed) hold, once that includes a record of the leader's own epoch.
    /// </summary>
    private void MaybeAdvanceHighWatermark()
    {
        if (Role != RaftRole.Leader) return;
        Span<long> ends = stackalloc long[_config.Voters.Count];
        for (var i = 0; i < ends.Length; i++)
        {
            var v = _config.Voters[i];
            ends[i] = v == _config.NodeId ? _durableEndOffset : _replicas[v].EndOffset;
        }
        ends.Sort();
        var majorityEnd = ends[ends.Length - _config.Majority];
        if (majorityEnd > _highWatermark && majorityEnd > _epochStartOffset)
        {
            _highWatermark = majorityEnd;
            CompleteParkedFetches();
        }
    }

    private void CompleteParkedFetches()
    {
        if (_parkedFetches.Count == 0) return;
        var parked = _parkedFetches.ToList();
        _parkedFetches.Clear();
        foreach (var (id, p) in parked)
            AnswerFetch(id, p.Request, allowPark: false);
    }
}
