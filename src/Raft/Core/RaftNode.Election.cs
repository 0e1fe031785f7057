using Broker.Protocol;

namespace Broker.Raft.Core;

// Transitions between KIP-595/KIP-996 states, and the Vote and BeginQuorumEpoch RPCs.
public sealed partial class RaftNode
{
    private void BecomeUnattached(int epoch, int votedId)
    {
        var changed = epoch != _epoch || _leaderId != -1 || votedId != _votedId;
        LeaveLeadership();
        _epoch = epoch;
        _leaderId = -1;
        _votedId = votedId;
        Role = RaftRole.Unattached;
        _electionDeadline = _now + RandomElectionTimeout();
        _fetchDeadline = long.MaxValue;
        ResetFetchState();
        if (changed) PersistQuorumState();
    }

    private void BecomeFollower(int epoch, int leaderId)
    {
        var changed = epoch != _epoch || leaderId != _leaderId;
        LeaveLeadership();
        if (epoch != _epoch) _votedId = -1;
        _epoch = epoch;
        _leaderId = leaderId;
        Role = RaftRole.Follower;
        _electionDeadline = long.MaxValue;
        _fetchDeadline = _now + _config.FetchTimeoutMs;
        ResetFetchState();
        if (changed) PersistQuorumState();
        SendFetch();
    }

    /// <summary>Pre-vote (KIP-996): ask whether we could win epoch+1 without anyone bumping to it.</summary>
    private void BecomeProspective()
    {
        if (!_config.PreVote)
        {
            BecomeCandidate();
            return;
        }
        LeaveLeadership();
        Role = RaftRole.Prospective;
        _fetchDeadline = long.MaxValue;
        ResetFetchState();
        StartVoteRound(preVote: true);
    }

    private void BecomeCandidate()
    {
        _epoch++;
        _leaderId = -1;
        _votedId = _config.NodeId;
        Role = RaftRole.Candidate;
        PersistQuorumState();
        StartVoteRound(preVote: false);
    }

    /// <summary>Votes for itself and asks the other voters; a pre-vote asks for the next epoch.</summary>
    private void StartVoteRound(bool preVote)
    {
        _electionDeadline = _now + RandomElectionTimeout();
        _grants.Clear();
        _grants.Add(_config.NodeId);
        if (_grants.Count >= _config.Majority)
        {
            if (preVote) BecomeCandidate(); else BecomeLeader();
            return;
        }
        var epoch = preVote ? _epoch + 1 : _epoch;
        foreach (var v in OtherVoters)
            Send(v, new VoteRequest(epoch, _config.NodeId, _log.LastEpoch, _log.EndOffset, preVote));
    }

    /// <summary>
    /// A message told us of <paramref name="epoch"/> and maybe its leader: move to a newer epoch,
    /// or attach to the leader of ours if we had none.
    /// </summary>
    private void ObserveLeader(int epoch, int leaderId)
    {
        if (epoch > _epoch)
        {
            if (leaderId >= 0) BecomeFollower(epoch, leaderId);
            else BecomeUnattached(epoch, -1);
        }
        else if (epoch == _epoch && leaderId >= 0 && leaderId != _config.NodeId
                 && Role is RaftRole.Unattached or RaftRole.Prospective or RaftRole.Candidate
                 && !(Role == RaftRole.Prospective && leaderId == _leaderId))
            BecomeFollower(epoch, leaderId); // (a prospective already gave up on _leaderId; hearsay of it changes nothing)
    }

    /// <summary>Kafka's comparison: last epoch first, then the log end offset.</summary>
    private bool CandidateLogIsUpToDate(int lastEpoch, long lastOffset) =>
        lastEpoch > _log.LastEpoch || (lastEpoch == _log.LastEpoch && lastOffset >= _log.EndOffset);

    private void HandleVoteRequest(int from, VoteRequest r)
    {
        if (!_config.IsVoter)
        {
            Send(from, new VoteResponse(ErrorCode.InconsistentVoterSet, KnownLeader, _epoch, false, r.PreVote));
            return;
        }
        if (r.PreVote)
        {
            Send(from, new VoteResponse(ErrorCode.None, KnownLeader, _epoch, WouldGrantPreVote(r), true));
            return;
        }
        if (r.CandidateEpoch < _epoch)
        {
            Send(from, new VoteResponse(ErrorCode.FencedLeaderEpoch, KnownLeader, _epoch, false, false));
            return;
        }
        if (r.CandidateEpoch > _epoch) BecomeUnattached(r.CandidateEpoch, -1);

        var granted = _votedId == r.CandidateId;
        if (!granted && _votedId == -1 && _leaderId == -1 && Role is RaftRole.Unattached or RaftRole.Prospective
            && CandidateLogIsUpToDate(r.LastOffsetEpoch, r.LastOffset))
        {
            // Persisted with this ready, before the response goes out.
            BecomeUnattached(_epoch, r.CandidateId);
            granted = true;
        }
        Send(from, new VoteResponse(ErrorCode.None, KnownLeader, _epoch, granted, false));
    }

    /// <summary>KIP-996: a pre-vote changes nothing here; it is refused while a leader is known to be alive.</summary>
    private bool WouldGrantPreVote(VoteRequest r)
    {
        if (r.CandidateEpoch <= _epoch) return false;
        if (Role == RaftRole.Leader) return false;
        if (Role == RaftRole.Follower && _now - _lastLeaderContact < _config.FetchTimeoutMs) return false;
        return CandidateLogIsUpToDate(r.LastOffsetEpoch, r.LastOffset);
    }

    private void HandleVoteResponse(int from, VoteResponse r)
    {
        ObserveLeader(r.LeaderEpoch, r.LeaderId);
        if (!r.VoteGranted || !Granted(r.Error)) return;
        if (r.PreVote && Role == RaftRole.Prospective && r.LeaderEpoch <= _epoch)
        {
            _grants.Add(from);
            if (_grants.Count >= _config.Majority) BecomeCandidate();
        }
        else if (!r.PreVote && Role == RaftRole.Candidate && r.LeaderEpoch == _epoch)
        {
            _grants.Add(from);
            if (_grants.Count >= _config.Majority) BecomeLeader();
        }
    }

    private void HandleBeginQuorumEpoch(int from, BeginQuorumEpochRequest r)
    {
        if (r.LeaderEpoch < _epoch)
        {
            Send(from, new BeginQuorumEpochResponse(ErrorCode.FencedLeaderEpoch, KnownLeader, _epoch));
            return;
        }
        ObserveLeader(r.LeaderEpoch, r.LeaderId);
        if (Role == RaftRole.Prospective && r.LeaderId == _leaderId && r.LeaderEpoch == _epoch)
            BecomeFollower(_epoch, _leaderId); // the leader we gave up on is alive after all
        if (Role == RaftRole.Follower && r.LeaderId == _leaderId) _lastLeaderContact = _now;
        Send(from, new BeginQuorumEpochResponse(ErrorCode.None, KnownLeader, _epoch));
    }

    private void HandleEndQuorumEpoch(int from, EndQuorumEpochRequest r)
    {
        if (r.LeaderEpoch < _epoch)
        {
            Send(from, new EndQuorumEpochResponse(ErrorCode.FencedLeaderEpoch, KnownLeader, _epoch));
            return;
        }
        ObserveLeader(r.LeaderEpoch, r.LeaderId);
        if (Role == RaftRole.Follower && _leaderId == r.LeaderId && _epoch == r.LeaderEpoch && _config.IsVoter)
        {
            // Preferred successors go first, each later one a backoff step behind (KIP-595).
            BecomeUnattached(_epoch, _votedId);
            var rank = IndexOf(r.PreferredSuccessors, _config.NodeId);
            _electionDeadline = rank < 0
                ? _now + RandomElectionTimeout()
                : _now + (long)rank * _config.ElectionBackoffMaxMs / Math.Max(1, r.PreferredSuccessors.Count);
        }
        Send(from, new EndQuorumEpochResponse(ErrorCode.None, KnownLeader, _epoch));
    }

    private static int IndexOf(IReadOnlyList<int> list, int value)
    {
        for (var i = 0; i < list.Count; i++)
            if (list[i] == value) return i;
        return -1;
    }
}
