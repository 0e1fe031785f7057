using Broker.Protocol;
using Broker.Protocol.Wire;
using Broker.Raft.Core;
using Broker.Raft.Kafka;

namespace Broker.Raft.Tests.Core;

public class VotingTests
{
    private static readonly int[] Voters = [1, 2, 3];

    [Fact]
    public void Vote_is_refused_to_a_candidate_with_an_older_last_epoch()
    {
        var h = new NodeHarness(1, Voters, new QuorumState(3, -1, -1), NodeHarness.LogWith((1, 2), (3, 1)));
        h.Step(2, new VoteRequest(4, 2, LastOffsetEpoch: 2, LastOffset: 10, PreVote: false));
        Assert.False(h.LastTo<VoteResponse>(2).VoteGranted);
        Assert.Equal(4, h.Node.Epoch); // a real vote request still moves the epoch
        Assert.Equal(-1, h.Node.VotedId);
    }

    [Fact]
    public void Vote_is_refused_to_a_candidate_with_a_shorter_log_in_the_same_epoch()
    {
        var h = new NodeHarness(1, Voters, new QuorumState(3, -1, -1), NodeHarness.LogWith((3, 5)));
        h.Step(2, new VoteRequest(4, 2, LastOffsetEpoch: 3, LastOffset: 4, PreVote: false));
        Assert.False(h.LastTo<VoteResponse>(2).VoteGranted);
        h.Step(3, new VoteRequest(4, 3, LastOffsetEpoch: 3, LastOffset: 5, PreVote: false));
        Assert.True(h.LastTo<VoteResponse>(3).VoteGranted);
    }

    [Fact]
    public void A_granted_vote_is_persisted_in_the_same_ready_as_the_response()
    {
        var h = new NodeHarness(1, Voters);
        h.Step(2, new VoteRequest(1, 2, 0, 0, PreVote: false));
        var ready = h.Readies.Last(r => r.Messages.Any(m => m.Body is VoteResponse));
        Assert.Equal(new QuorumState(1, -1, 2), ready.QuorumState);
        Assert.True(((VoteResponse)ready.Messages.Single().Body).VoteGranted);
    }

    [Fact]
    public void Only_one_vote_per_epoch()
    {
        var h = new NodeHarness(1, Voters);
        h.Step(2, new VoteRequest(1, 2, 0, 0, PreVote: false));
        h.Step(3, new VoteRequest(1, 3, 0, 0, PreVote: false));
        Assert.False(h.LastTo<VoteResponse>(3).VoteGranted);
        h.Step(2, new VoteRequest(1, 2, 0, 0, PreVote: false));
        Assert.True(h.LastTo<VoteResponse>(2).VoteGranted); // a retried request gets the same answer
    }

    [Fact]
    public void Pre_vote_does_not_bump_or_persist_the_epoch()
    {
        var h = new NodeHarness(1, Voters, new QuorumState(2, -1, -1));
        h.Step(2, new VoteRequest(3, 2, 0, 0, PreVote: true));
        AssertPreVoteGrantedAtEpoch2(h);
    }

    /// <summary>Node 1, at epoch 2, granted node 2's pre-vote and neither bumped nor persisted anything.</summary>
    private static void AssertPreVoteGrantedAtEpoch2(NodeHarness h)
    {
        var response = h.LastTo<VoteResponse>(2);
        Assert.True(response.VoteGranted);
        Assert.True(response.PreVote);
        Assert.Equal(2, h.Node.Epoch);
        Assert.Equal(-1, h.Node.VotedId);
        Assert.All(h.Readies, r => Assert.Null(r.QuorumState));
    }

    [Fact]
    public void Pre_vote_read_from_vote_v2_does_not_bump_the_receivers_epoch()
    {
        var codec = new KafkaRaftCodec("cluster-1");
        using var buffer = new PooledBufferWriter();
        codec.ToWire(new VoteRequest(3, 2, 0, 0, PreVote: true)).Write(new KafkaWriter(buffer), KafkaRaftCodec.PreVoteVersion);
        var reader = new KafkaReader(buffer.ToArray());
        var wire = new Broker.Protocol.Messages.VoteRequest();
        wire.Read(ref reader, KafkaRaftCodec.PreVoteVersion);

        var h = new NodeHarness(1, Voters, new QuorumState(2, -1, -1));
        h.Step(2, codec.FromWireRequest(wire)!);
        AssertPreVoteGrantedAtEpoch2(h);
    }

    [Fact]
    public void Prospective_sends_pre_votes_for_the_next_epoch_without_bumping()
    {
        var h = new NodeHarness(1, Voters, new QuorumState(2, -1, -1));
        while (h.Node.Role != RaftRole.Prospective) h.Tick(100);
        Assert.Equal(2, h.Node.Epoch);
        var request = h.LastTo<VoteRequest>(2);
        Assert.True(request.PreVote);
        Assert.Equal(3, request.CandidateEpoch);
        h.Step(2, new VoteResponse(ErrorCode.None, -1, 2, true, PreVote: true));
        Assert.Equal(RaftRole.Candidate, h.Node.Role);
        Assert.Equal(3, h.Node.Epoch);
        Assert.Equal(new QuorumState(3, -1, 1), h.Readies.Last(r => r.QuorumState is not null).QuorumState);
    }

    [Fact]
    public void Pre_vote_is_refused_while_the_leader_is_heard_from()
    {
        var h = new NodeHarness(1, Voters, new QuorumState(2, 3, -1));
        var fetch = h.LastTo<FetchRequest>(3);
        h.Step(3, new FetchResponse(ErrorCode.None, new LeaderAndEpoch(3, 2), 0, 0, null, null, [], fetch.FetchOffset, fetch.LastFetchedEpoch));
        h.Step(2, new VoteRequest(3, 2, 5, 100, PreVote: true));
        Assert.False(h.LastTo<VoteResponse>(2).VoteGranted);

        h.Tick(h.Node.Config.FetchTimeoutMs + 1); // no word from the leader: now it would
        h.Step(2, new VoteRequest(3, 2, 5, 100, PreVote: true));
        Assert.True(h.LastTo<VoteResponse>(2).VoteGranted);
    }

    [Fact]
    public void A_pre_vote_grant_is_never_counted_as_a_vote()
    {
        var h = new NodeHarness(1, Voters);
        while (h.Node.Role != RaftRole.Prospective) h.Tick(100);
        h.Step(2, new VoteResponse(ErrorCode.None, -1, 0, true, PreVote: true));
        Assert.Equal(RaftRole.Candidate, h.Node.Role);
        // A late pre-vote grant from node 3, already at the candidate's epoch, is not a vote.
        h.Step(3, new VoteResponse(ErrorCode.None, -1, 1, true, PreVote: true));
        Assert.Equal(RaftRole.Candidate, h.Node.Role);
        h.Step(3, new VoteResponse(ErrorCode.None, -1, 1, true, PreVote: false));
        Assert.Equal(RaftRole.Leader, h.Node.Role);
    }

    [Fact]
    public void A_new_leader_writes_leader_change_and_sends_begin_quorum_epoch()
    {
        var h = new NodeHarness(1, Voters);
        h.BecomeLeader();
        var first = h.Node.Log.Batches.Single();
        Assert.Equal(RaftBatchKind.LeaderChange, first.Kind);
        Assert.Equal(1, LeaderChangeRecord.Decode(first.Records[0]).LeaderId);
        Assert.Equal(new BeginQuorumEpochRequest(1, h.Node.Epoch), h.LastTo<BeginQuorumEpochRequest>(2));
        Assert.Equal(new BeginQuorumEpochRequest(1, h.Node.Epoch), h.LastTo<BeginQuorumEpochRequest>(3));
    }

    [Fact]
    public void Begin_quorum_epoch_makes_a_voter_follow_and_fetch()
    {
        var h = new NodeHarness(2, Voters);
        h.Step(1, new BeginQuorumEpochRequest(1, 4));
        Assert.Equal(RaftRole.Follower, h.Node.Role);
        Assert.Equal(1, h.Node.LeaderId);
        Assert.Equal(new FetchRequest(2, 4, 0, 0), h.LastTo<FetchRequest>(1));
        Assert.Equal(new QuorumState(4, 1, -1), h.Readies.Last(r => r.QuorumState is not null).QuorumState);
    }

    [Fact]
    public void A_restarted_leader_comes_back_resigned_and_refuses_votes_in_its_epoch()
    {
        var h = new NodeHarness(1, Voters, new QuorumState(5, 1, 1), NodeHarness.LogWith((5, 1)));
        Assert.Equal(RaftRole.Resigned, h.Node.Role);
        Assert.Equal(new[] { 2, 3 }, h.Sent.Where(m => m.Body is EndQuorumEpochRequest).Select(m => m.To));
        h.Step(2, new VoteRequest(5, 2, 5, 10, PreVote: false));
        Assert.False(h.LastTo<VoteResponse>(2).VoteGranted);
    }

    [Fact]
    public void Observers_never_vote()
    {
        var h = new NodeHarness(9, Voters);
        h.Step(2, new VoteRequest(1, 2, 0, 0, PreVote: false));
        var response = h.LastTo<VoteResponse>(2);
        Assert.False(response.VoteGranted);
        Assert.Equal(ErrorCode.InconsistentVoterSet, response.Error);
        for (var i = 0; i < 50; i++) h.Tick(100);
        Assert.Empty(h.AllSent<VoteRequest>());
    }
}
