using Broker.Protocol;
using Broker.Raft.Core;

namespace Broker.Raft.Tests.Core;

public class SnapshotTests
{
    private static readonly int[] Voters = [1, 2, 3];

    /// <summary>A leader whose first 3 records are committed, applied and snapshotted, its log truncated behind it.</summary>
    private static (NodeHarness Leader, SnapshotId Id) LeaderWithSnapshot(byte[] data)
    {
        var leader = new NodeHarness(1, Voters);
        leader.BecomeLeader();
        var epoch = leader.Node.Epoch;
        leader.Node.Propose([[1], [2]], leader.Now);
        leader.Drain();
        leader.Step(2, new FetchRequest(2, epoch, 3, epoch));
        Assert.Equal(3, leader.Node.HighWatermark);
        var id = leader.Node.CreateSnapshot(3, data, deleteLogPrefix: true);
        leader.Drain();
        Assert.Equal(new SnapshotId(3, epoch), id);
        Assert.Equal(3, leader.Node.Log.StartOffset);
        return (leader, id!.Value);
    }

    [Fact]
    public void Snapshot_needs_a_committed_applied_offset()
    {
        var leader = new NodeHarness(1, Voters);
        leader.BecomeLeader();
        leader.Node.Propose([[1]], leader.Now);
        leader.Drain();
        Assert.Null(leader.Node.CreateSnapshot(2, [0], deleteLogPrefix: true));
    }

    [Fact]
    public void A_follower_behind_the_log_start_gets_the_snapshot_id()
    {
        var (leader, id) = LeaderWithSnapshot([1, 2, 3, 4, 5, 6]);
        leader.Step(3, new FetchRequest(3, leader.Node.Epoch, 0, 0));
        var response = leader.LastTo<FetchResponse>(3);
        Assert.Equal(id, response.SnapshotId);
        Assert.Equal(3, response.LogStartOffset);
    }

    [Fact]
    public void A_follower_fetches_the_snapshot_in_chunks_installs_it_and_continues_after_it()
    {
        var data = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
        var (leader, id) = LeaderWithSnapshot(data);
        var epoch = leader.Node.Epoch;
        var follower = new NodeHarness(3, Voters, new QuorumState(epoch, 1, -1));

        // Shuttle messages between the two until the follower asks for records after the snapshot.
        for (var i = 0; i < 20; i++)
        {
            var request = follower.Sent.Last(m => m.To == 1).Body;
            if (request is FetchRequest { FetchOffset: 3 }) break;
            leader.Step(3, request);
            follower.Step(1, leader.Sent.Last(m => m.To == 3).Body);
        }

        Assert.True(follower.AllSent<FetchSnapshotRequest>().Count >= 3); // 4-byte chunks
        var install = follower.Readies.SelectMany(r => r.LogOps).OfType<ResetToSnapshotOp>().Single();
        Assert.Equal(id, install.Id);
        Assert.Equal(data, install.Data);
        var load = follower.Readies.Select(r => r.LoadSnapshot).Single(l => l is not null)!.Value;
        Assert.Equal(id, load.Id);
        Assert.Equal(new FetchRequest(3, epoch, 3, id.Epoch), follower.LastTo<FetchRequest>(1));
        Assert.Equal(3, follower.Node.HighWatermark);
    }

    [Fact]
    public void Fetch_snapshot_for_an_unknown_id_is_snapshot_not_found()
    {
        var (leader, id) = LeaderWithSnapshot([1, 2]);
        leader.Step(2, new FetchSnapshotRequest(2, leader.Node.Epoch, id with { EndOffset = 1 }, 0));
        Assert.Equal(ErrorCode.SnapshotNotFound, leader.LastTo<FetchSnapshotResponse>(2).Error);
    }

    [Fact]
    public void A_restart_with_a_snapshot_loads_it_first()
    {
        var log = new RaftLog(5, new SnapshotId(5, 2), [7, 7]);
        var h = new NodeHarness(2, Voters, new QuorumState(2, 1, -1), log);
        var load = h.Readies.Select(r => r.LoadSnapshot).Single(l => l is not null)!.Value;
        Assert.Equal(new SnapshotId(5, 2), load.Id);
        Assert.Equal(new FetchRequest(2, 2, 5, 2), h.LastTo<FetchRequest>(1));
    }
}
