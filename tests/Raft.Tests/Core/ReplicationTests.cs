using Broker.Protocol;
using Broker.Raft.Core;

namespace Broker.Raft.Tests.Core;

public class ReplicationTests
{
    private static readonly int[] Voters = [1, 2, 3];

    private static FetchResponse Answer(NodeHarness leader, int from, FetchRequest request)
    {
        leader.Step(from, request);
        return leader.LastTo<FetchResponse>(from);
    }

    [Fact]
    public void Leader_answers_a_fetch_from_a_diverging_log_with_the_epoch_end()
    {
        // Leader: epoch 1 [0,3), epoch 3 [3,5), then its own LeaderChange in epoch 4.
        var leader = new NodeHarness(1, Voters, new QuorumState(3, -1, -1), NodeHarness.LogWith((1, 3), (3, 2)));
        leader.BecomeLeader();
        // The follower has epoch 2 records from offset 3 on, which the leader never had.
        var response = Answer(leader, 2, new FetchRequest(2, leader.Node.Epoch, FetchOffset: 6, LastFetchedEpoch: 2));
        Assert.Equal(new EpochEndOffset(1, 3), response.DivergingEpoch);
        Assert.Empty(response.Batches);
    }

    [Fact]
    public void Follower_truncates_to_the_diverging_epoch_end_and_fetches_from_there()
    {
        var h = new NodeHarness(2, Voters, new QuorumState(4, 1, -1), NodeHarness.LogWith((1, 3), (2, 3)));
        var fetch = h.LastTo<FetchRequest>(1);
        Assert.Equal(new FetchRequest(2, 4, 6, 2), fetch);
        h.Step(1, new FetchResponse(ErrorCode.None, new LeaderAndEpoch(1, 4), 0, 0, new EpochEndOffset(1, 3), null, [], 6, 2));
        Assert.Equal(3, h.Node.Log.EndOffset);
        Assert.Contains(h.Readies.SelectMany(r => r.LogOps), op => op is TruncateOp { Offset: 3 });
        Assert.Equal(new FetchRequest(2, 4, 3, 1), h.LastTo<FetchRequest>(1));
    }

    [Fact]
    public void A_late_duplicate_fetch_response_is_ignored()
    {
        var h = new NodeHarness(2, Voters, new QuorumState(4, 1, -1), NodeHarness.LogWith((1, 3)));
        var batch = new RaftBatch(3, 4, RaftBatchKind.Data, [[9]]);
        var response = new FetchResponse(ErrorCode.None, new LeaderAndEpoch(1, 4), 0, 0, null, null, [batch], 3, 1);
        h.Step(1, response);
        h.Step(1, response);
        Assert.Equal(4, h.Node.Log.EndOffset);
        Assert.Single(h.Readies.SelectMany(r => r.LogOps).OfType<AppendOp>());
    }

    [Fact]
    public void High_watermark_waits_for_a_record_of_the_leaders_own_epoch()
    {
        var leader = new NodeHarness(1, Voters, new QuorumState(1, -1, -1), NodeHarness.LogWith((1, 4)));
        leader.BecomeLeader();
        var epoch = leader.Node.Epoch;
        // A follower holding the old epoch's four records is a majority with the leader, but
        // committing them needs the LeaderChange record at offset 4 replicated too.
        var response = Answer(leader, 2, new FetchRequest(2, epoch, 4, 1));
        Assert.Equal(0, leader.Node.HighWatermark);
        Assert.Single(response.Batches);
        response = Answer(leader, 2, new FetchRequest(2, epoch, 5, epoch));
        Assert.Equal(5, leader.Node.HighWatermark);
        Assert.Equal(5, leader.Committed.Sum(b => b.Records.Count));
    }

    [Fact]
    public void Observers_do_not_count_toward_the_high_watermark()
    {
        var leader = new NodeHarness(1, Voters);
        leader.BecomeLeader();
        var epoch = leader.Node.Epoch;
        leader.Step(9, new FetchRequest(9, epoch, 1, epoch));
        Assert.Equal(0, leader.Node.HighWatermark);
        leader.Step(2, new FetchRequest(2, epoch, 1, epoch));
        Assert.Equal(1, leader.Node.HighWatermark);
        var quorum = leader.Node.DescribeQuorum(leader.Now)!;
        Assert.Equal([1, 2, 3], quorum.Voters.Select(v => v.ReplicaId));
        Assert.Equal(9, Assert.Single(quorum.Observers).ReplicaId);
        Assert.Equal(1, quorum.Observers[0].LogEndOffset);
    }

    [Fact]
    public void A_fetch_with_nothing_new_is_parked_until_data_arrives()
    {
        var leader = new NodeHarness(1, Voters);
        leader.BecomeLeader();
        var epoch = leader.Node.Epoch;
        leader.Step(2, new FetchRequest(2, epoch, 1, epoch));
        Assert.Empty(leader.AllSent<FetchResponse>());
        leader.Node.Propose([[1, 2, 3]], leader.Now);
        leader.Drain();
        var response = leader.LastTo<FetchResponse>(2);
        Assert.Equal(1, Assert.Single(response.Batches).BaseOffset);
    }

    [Fact]
    public void Fetch_with_a_stale_epoch_is_fenced_and_names_the_leader()
    {
        var leader = new NodeHarness(1, Voters);
        leader.BecomeLeader();
        var response = Answer(leader, 2, new FetchRequest(2, leader.Node.Epoch - 1, 0, 0));
        Assert.Equal(ErrorCode.FencedLeaderEpoch, response.Error);
        Assert.Equal(new LeaderAndEpoch(1, leader.Node.Epoch), response.CurrentLeader);
    }

    [Fact]
    public void A_follower_without_fetches_becomes_prospective()
    {
        var h = new NodeHarness(2, Voters, new QuorumState(4, 1, -1));
        h.Tick(h.Node.Config.FetchTimeoutMs + 1);
        Assert.Equal(RaftRole.Prospective, h.Node.Role);
        Assert.Equal(4, h.Node.Epoch);
    }

    [Fact]
    public void Resigning_sends_end_quorum_epoch_with_the_most_caught_up_successor_first()
    {
        var leader = new NodeHarness(1, Voters);
        leader.BecomeLeader();
        var epoch = leader.Node.Epoch;
        leader.Node.Propose([[1]], leader.Now);
        leader.Drain();
        leader.Step(2, new FetchRequest(2, epoch, 1, epoch));
        leader.Step(3, new FetchRequest(3, epoch, 2, epoch));
        leader.Node.Resign(leader.Now);
        leader.Drain();
        Assert.Equal(RaftRole.Resigned, leader.Node.Role);
        Assert.Equal([3, 2], leader.LastTo<EndQuorumEpochRequest>(2).PreferredSuccessors);
        Assert.Equal(-1, leader.Node.Propose([[2]], leader.Now));
        Assert.Equal(ErrorCode.NotLeaderOrFollower, Answer(leader, 2, new FetchRequest(2, epoch, 2, epoch)).Error);
    }

    [Fact]
    public void The_first_preferred_successor_campaigns_at_once()
    {
        var h = new NodeHarness(3, Voters, new QuorumState(4, 1, -1));
        h.Step(1, new EndQuorumEpochRequest(1, 4, [3, 2]));
        h.Tick(1);
        Assert.Equal(RaftRole.Prospective, h.Node.Role);
        Assert.True(h.LastTo<VoteRequest>(2).PreVote);
    }

    [Fact]
    public void An_observer_asks_a_voter_and_follows_the_leader_it_names()
    {
        var h = new NodeHarness(9, Voters);
        h.Tick(100);
        var ask = h.Sent.Last(m => m.Body is FetchRequest);
        Assert.Contains(ask.To, Voters);
        h.Step(ask.To, new FetchResponse(ErrorCode.NotLeaderOrFollower, new LeaderAndEpoch(2, 3), 0, 0, null, null, [], 0, 0));
        Assert.Equal(RaftRole.Follower, h.Node.Role);
        Assert.Equal(2, h.Node.LeaderId);
        Assert.Equal(new FetchRequest(9, 3, 0, 0), h.LastTo<FetchRequest>(2));
    }

    [Fact]
    public void A_leader_that_no_majority_fetches_from_resigns()
    {
        var leader = new NodeHarness(1, Voters);
        leader.BecomeLeader();
        var epoch = leader.Node.Epoch;
        for (var i = 0; i < 10; i++)
        {
            leader.Tick(leader.Node.Config.FetchTimeoutMs / 4);
            leader.Step(2, new FetchRequest(2, epoch, 1, epoch)); // one follower keeps a majority
        }
        Assert.Equal(RaftRole.Leader, leader.Node.Role);
        leader.Tick(leader.Node.Config.FetchTimeoutMs * 2);
        Assert.Equal(RaftRole.Resigned, leader.Node.Role);
        Assert.NotEmpty(leader.AllSent<EndQuorumEpochRequest>());
    }
}
