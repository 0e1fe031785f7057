using Broker.Raft.Core;
using Broker.Raft.Storage;

namespace Broker.Raft.Tests.Storage;

public class RaftLogStoreTests
{
    private static readonly int[] Voters = [1, 2, 3];

    private static RaftReady Ready(QuorumState? state = null, long hw = 0, params LogOp[] ops)
    {
        var ready = new RaftReady();
        typeof(RaftReady).GetProperty(nameof(RaftReady.QuorumState))!.SetValue(ready, state);
        typeof(RaftReady).GetProperty(nameof(RaftReady.HighWatermark))!.SetValue(ready, hw);
        ready.LogOps.AddRange(ops);
        return ready;
    }

    private static RaftBatch Batch(long offset, int epoch, int count, RaftBatchKind kind = RaftBatchKind.Data) =>
        new(offset, epoch, kind, kind == RaftBatchKind.LeaderChange
            ? [new LeaderChangeRecord(1, Voters, [1, 2]).Encode()]
            : Enumerable.Range(0, count).Select(i => new[] { (byte)epoch, (byte)(offset + i) }).ToArray());

    private static string Show(RaftLog log) =>
        $"start {log.StartOffset} snapshot {log.Snapshot} | " +
        string.Join(" ", log.Batches.Select(b => $"{b.BaseOffset}/{b.Epoch}/{b.Kind}/{string.Join(",", b.Records.Select(Convert.ToHexString))}"));

    [Fact]
    public void Appends_and_truncations_survive_a_reopen()
    {
        using var dir = new TempDir();
        var expected = new RaftLog();
        using (var store = new RaftLogStore(dir.Path, Voters, () => 1000))
        {
            var ops = new LogOp[]
            {
                new AppendOp(Batch(0, 1, 1, RaftBatchKind.LeaderChange)), new AppendOp(Batch(1, 1, 3)), new AppendOp(Batch(4, 2, 2)),
            };
            store.Persist(Ready(new QuorumState(2, 1, 1), 0, ops));
            store.Persist(Ready(null, 0, new TruncateOp(4), new AppendOp(Batch(4, 3, 1))));
            foreach (var b in new[] { Batch(0, 1, 1, RaftBatchKind.LeaderChange), Batch(1, 1, 3), Batch(4, 3, 1) }) expected.Append(b);
        }
        using var reopened = new RaftLogStore(dir.Path, Voters);
        Assert.Equal(new QuorumState(2, 1, 1), reopened.LoadQuorumState());
        Assert.Equal(Show(expected), Show(reopened.LoadLog()));
        Assert.True(File.Exists(Path.Combine(dir.Path, "__cluster_metadata-0", "quorum-state")));
    }

    [Fact]
    public void A_snapshot_cuts_the_log_and_is_loaded_on_reopen()
    {
        using var dir = new TempDir();
        var snapshot = SnapshotFile.Build([[7]], 0, 1);
        using (var store = new RaftLogStore(dir.Path, Voters))
        {
            store.Persist(Ready(null, 0, new AppendOp(Batch(0, 1, 3)), new AppendOp(Batch(3, 1, 2))));
            store.Persist(Ready(null, 5, new StoreSnapshotOp(new SnapshotId(3, 1), snapshot), new DeletePrefixOp(3)));
        }
        using var reopened = new RaftLogStore(dir.Path, Voters);
        var log = reopened.LoadLog();
        Assert.Equal(new SnapshotId(3, 1), log.Snapshot);
        Assert.Equal(snapshot, log.SnapshotData);
        Assert.Equal(5, log.EndOffset);
        Assert.Equal(3, log.Batches[0].BaseOffset);
        Assert.True(File.Exists(Path.Combine(reopened.Directory, "00000000000000000003-0000000001.checkpoint")));
    }

    [Fact]
    public void A_fetched_snapshot_replaces_the_log()
    {
        using var dir = new TempDir();
        var snapshot = SnapshotFile.Build([[7]], 0, 4);
        using (var store = new RaftLogStore(dir.Path, Voters))
        {
            store.Persist(Ready(null, 0, new AppendOp(Batch(0, 1, 2))));
            store.Persist(Ready(null, 100, new ResetToSnapshotOp(new SnapshotId(100, 4), snapshot)));
        }
        using var reopened = new RaftLogStore(dir.Path, Voters);
        var log = reopened.LoadLog();
        Assert.Equal((100L, 100L, 4), (log.StartOffset, log.EndOffset, log.LastEpoch));
    }

    [Fact]
    public void A_log_ending_before_the_newest_snapshot_restarts_at_the_snapshot()
    {
        // A crash between writing a fetched snapshot and cutting the log.
        using var dir = new TempDir();
        using (var store = new RaftLogStore(dir.Path, Voters))
        {
            store.Persist(Ready(null, 0, new AppendOp(Batch(0, 1, 2))));
            store.Persist(Ready(null, 0, new StoreSnapshotOp(new SnapshotId(50, 3), SnapshotFile.Build([], 0, 3))));
        }
        using var reopened = new RaftLogStore(dir.Path, Voters);
        var log = reopened.LoadLog();
        Assert.Equal((50L, 50L, 3), (log.StartOffset, log.EndOffset, log.LastEpoch));
    }
}
