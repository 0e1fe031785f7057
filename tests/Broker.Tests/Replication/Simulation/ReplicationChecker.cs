using Broker.Log;
using Broker.Protocol.Records;
using Broker.Replication;

namespace Broker.Broker.Tests.Replication.Simulation;

/// <summary>
/// The safety properties, checked after every step: a record acknowledged with acks=all (ISR of at
/// least min.insync.replicas) stays, byte for byte, in the current leader's log; below its high
/// watermark every node holds the same batches (the first node to commit a batch defines it); a
/// node's high watermark never goes back, crashes included; no two nodes lead the same epoch.
/// </summary>
public sealed class ReplicationChecker(ReplicationSimulator sim)
{
    private sealed record Pending(SimNode Node, int Incarnation, int Epoch, long FirstOffset, long LastOffset);

    private readonly List<Pending> _pending = [];
    private readonly List<(long BaseOffset, byte[] Bytes)> _acked = [];
    private readonly Dictionary<long, byte[]> _committed = [];
    private readonly Dictionary<long, long> _committedBase = [];
    private readonly long[] _checkedUpTo = new long[3];
    private readonly long[] _lastHighWatermark = new long[3];
    private int _leaderEpochChecked = -1;

    public int AckedCount => _acked.Count;

    public void OnStart(SimNode node)
    {
        var hw = node.Partition!.Log.HighWatermark;
        if (hw < _lastHighWatermark[node.Id - 1])
            Fail($"node {node.Id} restarted with high watermark {hw} below its checkpoint {_lastHighWatermark[node.Id - 1]}");
        _checkedUpTo[node.Id - 1] = 0;
    }

    public void OnAppended(SimNode node, int epoch, long firstOffset, long lastOffset) =>
        _pending.Add(new Pending(node, node.Incarnation, epoch, firstOffset, lastOffset));

    /// <summary>acks=all answers NONE once the high watermark passes the batch while the same leader epoch leads with an ISR of two or more.</summary>
    public void CheckAcks()
    {
        _pending.RemoveAll(p =>
        {
            var partition = p.Node.Partition;
            if (!p.Node.Alive || p.Node.Incarnation != p.Incarnation || partition!.Role != PartitionRole.Leader || partition.LeaderEpoch != p.Epoch)
                return true;
            if (partition.Log.HighWatermark <= p.LastOffset || partition.InSyncReplicaCount < 2)
                return false;
            var batch = ReadBatch(partition.Log, p.FirstOffset)
                ?? throw Fail($"leader {p.Node.Id} acknowledged offset {p.FirstOffset} it does not hold");
            _acked.Add((p.FirstOffset, batch));
            sim.Stats.Acked++;
            Commit(p.Node.Id, p.FirstOffset, p.LastOffset, batch);
            return true;
        });
    }

    public void CheckStep(bool fullScan)
    {
        var leaders = sim.Nodes.Where(n => n.Alive && n.Partition!.Role == PartitionRole.Leader)
            .GroupBy(n => n.Partition!.LeaderEpoch).FirstOrDefault(g => g.Count() > 1);
        if (leaders is not null)
            Fail($"nodes {string.Join(",", leaders.Select(n => n.Id))} all lead epoch {leaders.Key}");
        foreach (var node in sim.Nodes.Where(n => n.Alive))
        {
            var log = node.Partition!.Log;
            var index = node.Id - 1;
            var hw = log.HighWatermark;
            if (hw < _lastHighWatermark[index])
                Fail($"node {node.Id}'s high watermark went back from {_lastHighWatermark[index]} to {hw}");
            _lastHighWatermark[index] = hw;
            if (log.LogEndOffset < _checkedUpTo[index])
                Fail($"node {node.Id} truncated to {log.LogEndOffset}, below committed offset {_checkedUpTo[index]}");
            if (fullScan)
                _checkedUpTo[index] = 0;
            _checkedUpTo[index] = CheckCommitted(node.Id, log, _checkedUpTo[index], hw);
        }
        var controller = sim.Controller;
        var leader = controller.Leader > 0 ? sim.Node(controller.Leader) : null;
        if (leader is { Alive: true } && leader.Partition!.Role == PartitionRole.Leader && leader.Partition.LeaderEpoch == controller.LeaderEpoch
            && (fullScan || _leaderEpochChecked != controller.LeaderEpoch))
        {
            _leaderEpochChecked = controller.LeaderEpoch;
            foreach (var (baseOffset, bytes) in _acked)
            {
                var held = ReadBatch(leader.Partition.Log, baseOffset);
                if (held is null || !held.AsSpan().SequenceEqual(bytes))
                    Fail($"acknowledged batch at offset {baseOffset} is {(held is null ? "missing" : "changed")} on leader {leader.Id} (epoch {controller.LeaderEpoch})");
            }
        }
    }

    /// <summary>Compares the batches of <paramref name="log"/> in [from, hw) with the committed ones; returns where it stopped.</summary>
    private long CheckCommitted(int nodeId, PartitionLog log, long from, long hw)
    {
        while (from < hw)
        {
            var records = log.Read(from, 1 << 20).Records.ToArray();
            if (records.Length == 0)
                Fail($"node {nodeId} has no batch at {from}, below its high watermark {hw}");
            var position = 0;
            while (position < records.Length)
            {
                var header = new RecordBatchHeader(records.AsSpan(position));
                if (header.LastOffset >= hw)
                    return from;
                Commit(nodeId, header.BaseOffset, header.LastOffset, records.AsSpan(position, header.TotalSize).ToArray());
                position += header.TotalSize;
                from = header.LastOffset + 1;
            }
        }
        return from;
    }

    private void Commit(int nodeId, long baseOffset, long lastOffset, byte[] bytes)
    {
        if (_committedBase.TryGetValue(baseOffset, out var knownBase) || _committedBase.TryGetValue(lastOffset, out knownBase))
        {
            if (knownBase != baseOffset || !_committed[knownBase].AsSpan().SequenceEqual(bytes))
                Fail($"node {nodeId}'s committed batch at offset {baseOffset} differs from the one committed before");
            return;
        }
        for (var offset = baseOffset; offset <= lastOffset; offset++)
            if (!_committedBase.TryAdd(offset, baseOffset))
                Fail($"node {nodeId}'s committed batch [{baseOffset}, {lastOffset}] overlaps another at {offset}");
        _committed[baseOffset] = bytes;
    }

    private static byte[]? ReadBatch(PartitionLog log, long baseOffset)
    {
        if (baseOffset >= log.LogEndOffset || baseOffset < log.LogStartOffset)
            return null;
        var records = log.Read(baseOffset, 1 << 20).Records.ToArray();
        if (records.Length == 0)
            return null;
        var header = new RecordBatchHeader(records);
        return header.BaseOffset == baseOffset ? records.AsSpan(0, header.TotalSize).ToArray() : null;
    }

    private ReplicationFailure Fail(string message) =>
        throw new ReplicationFailure($"at {sim.NowMs} ms: {message} (controller: leader {sim.Controller.Leader}, epoch {sim.Controller.LeaderEpoch}, ISR [{string.Join(",", sim.Controller.Isr)}])");
}
