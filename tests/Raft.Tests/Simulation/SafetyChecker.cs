using Broker.Raft.Core;

namespace Broker.Raft.Tests.Simulation;

/// <summary>
/// Raft's safety properties, checked as the simulation runs: election safety, log matching,
/// leader completeness and state-machine safety. Any violation throws <see cref="SimulationFailure"/>.
/// </summary>
public sealed class SafetyChecker
{
    private readonly Dictionary<int, int> _leaderOfEpoch = new();
    // Identity of every committed record, and the state-machine hash chain before each offset.
    private readonly List<ulong> _committed = new();
    private readonly List<ulong> _chainBefore = [0];

    public long CommittedCount => _committed.Count;
    public int Elections => _leaderOfEpoch.Count;

    /// <summary>Election safety: at most one leader per epoch. Leader completeness on first sight.</summary>
    public void ObserveLeader(RaftNode node)
    {
        if (_leaderOfEpoch.TryGetValue(node.Epoch, out var existing))
        {
            if (existing != node.NodeId)
                throw new SimulationFailure($"election safety: epoch {node.Epoch} has leaders {existing} and {node.NodeId}");
            return;
        }
        _leaderOfEpoch[node.Epoch] = node.NodeId;
        for (var offset = 0L; offset < _committed.Count; offset++)
        {
            if (offset < node.Log.StartOffset)
            {
                if ((node.Log.Snapshot?.EndOffset ?? 0) < node.Log.StartOffset)
                    throw new SimulationFailure($"leader completeness: node {node.NodeId} starts at {node.Log.StartOffset} without a snapshot");
                continue;
            }
            if (IdentityAt(node.Log, offset) != _committed[(int)offset])
                throw new SimulationFailure(
                    $"leader completeness: leader {node.NodeId} of epoch {node.Epoch} lacks committed offset {offset}");
        }
    }

    /// <summary>The leader's high watermark commits its log below it.</summary>
    public void ObserveCommit(RaftNode leader, long highWatermark)
    {
        for (var offset = Math.Max(leader.Log.StartOffset, _committed.Count); offset < highWatermark; offset++)
            Record(offset, IdentityAt(leader.Log, offset), $"leader {leader.NodeId} HW {highWatermark}");
    }

    /// <summary>State-machine safety: a node applies exactly what was committed at each offset.</summary>
    public void ObserveApply(int nodeId, long offset, ulong identity, ulong chainBefore)
    {
        Record(offset, identity, $"node {nodeId} applying");
        if (_chainBefore[(int)offset] != chainBefore)
            throw new SimulationFailure($"state-machine safety: node {nodeId} state before {offset} differs");
    }

    public void ObserveSnapshotLoad(int nodeId, SnapshotId id, ulong chain)
    {
        if (id.EndOffset > _committed.Count)
            throw new SimulationFailure($"node {nodeId} loaded snapshot {id} beyond the committed {_committed.Count}");
        if (_chainBefore[(int)id.EndOffset] != chain)
            throw new SimulationFailure($"state-machine safety: node {nodeId} snapshot {id} differs from the committed state");
    }

    private void Record(long offset, ulong? identity, string who)
    {
        if (identity is null)
            throw new SimulationFailure($"{who}: committed offset {offset} missing from its log");
        if (offset < _committed.Count)
        {
            if (_committed[(int)offset] != identity)
                throw new SimulationFailure($"state-machine safety: {who}: offset {offset} differs from what was committed");
            return;
        }
        if (offset != _committed.Count)
            throw new SimulationFailure($"{who}: commit of {offset} skips from {_committed.Count}");
        _committed.Add(identity.Value);
        _chainBefore.Add(SimStateMachine.Extend(_chainBefore[^1], identity.Value));
    }

    /// <summary>Log matching: where two logs hold the same epoch at an offset, everything below is identical.</summary>
    public static void CheckLogMatching(IReadOnlyList<(int Id, RaftLog Log)> logs)
    {
        var flat = logs.Select(l => (l.Id, Entries: Flatten(l.Log), l.Log.StartOffset)).ToList();
        for (var i = 0; i < flat.Count; i++)
        for (var j = i + 1; j < flat.Count; j++)
        {
            var (a, b) = (flat[i], flat[j]);
            var start = Math.Max(a.StartOffset, b.StartOffset);
            var end = Math.Min(a.StartOffset + a.Entries.Count, b.StartOffset + b.Entries.Count);
            var matched = false;
            for (var o = end - 1; o >= start; o--)
            {
                var ea = a.Entries[(int)(o - a.StartOffset)];
                var eb = b.Entries[(int)(o - b.StartOffset)];
                if (!matched && ea.Epoch == eb.Epoch) matched = true;
                if (matched && ea != eb)
                    throw new SimulationFailure($"log matching: nodes {a.Id} and {b.Id} differ at offset {o} below a common epoch");
            }
        }
    }

    private static List<(int Epoch, ulong Identity)> Flatten(RaftLog log)
    {
        var list = new List<(int, ulong)>();
        foreach (var b in log.Batches)
            foreach (var r in b.Records)
                list.Add((b.Epoch, SimStateMachine.Identity(b.Epoch, r)));
        return list;
    }

    private static ulong? IdentityAt(RaftLog log, long offset)
    {
        var batch = log.BatchContaining(offset);
        return batch is null ? null : SimStateMachine.Identity(batch.Epoch, batch.Records[(int)(offset - batch.BaseOffset)]);
    }
}
