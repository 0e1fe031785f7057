using Broker.Log;
using Broker.Raft.Core;
using Broker.Raft.Kafka;

namespace Broker.Raft.Storage;

/// <summary>
/// The disk adapter: <c>__cluster_metadata-0</c> as a Kafka partition directory holding the log
/// segments (record batches as Kafka writes them), the <c>quorum-state</c> file and the
/// <c>.checkpoint</c> snapshots. <see cref="Persist"/> applies a <see cref="RaftReady"/> and returns
/// once it is on disk (the flush point).
/// </summary>
public sealed class RaftLogStore : IDisposable
{
    public const string TopicName = "__cluster_metadata";
    private readonly PartitionLog _log;
    private readonly Func<long> _nowMs;
    private readonly IReadOnlyList<int> _voters;

    public RaftLogStore(string metadataLogDir, IReadOnlyList<int> voters, Func<long>? nowMs = null)
    {
        Directory = Path.Combine(metadataLogDir, TopicName + "-0");
        System.IO.Directory.CreateDirectory(Directory);
        _voters = voters;
        _nowMs = nowMs ?? (() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        // As Kafka's metadata log: the newest snapshot's end is the log start offset on reopen
        // (a log start is otherwise kept in the log directory's checkpoint files, not here).
        var snapshots = SnapshotFile.List(Directory);
        var snapshotEnd = snapshots.Count > 0 ? snapshots[^1].EndOffset : 0;
        // Metadata segments roll small: snapshots cut the log and restarts replay what is left.
        _log = PartitionLog.Open(Directory, LogConfig.Default with { SegmentBytes = 8 * 1024 * 1024, RetentionMs = -1 },
            new LogCheckpoint(0, snapshotEnd, snapshotEnd, CleanShutdown: false));
    }

    public string Directory { get; }
    public string QuorumStatePath => Path.Combine(Directory, QuorumStateFile.FileName);
    public long LogEndOffset => _log.LogEndOffset;

    public QuorumState LoadQuorumState() => QuorumStateFile.Read(QuorumStatePath)?.State ?? QuorumState.Initial;

    /// <summary>The log and the newest snapshot as the node restarts from them.</summary>
    public RaftLog LoadLog()
    {
        var snapshots = SnapshotFile.List(Directory);
        SnapshotId? snapshot = snapshots.Count > 0 ? snapshots[^1] : null;
        byte[]? snapshotData = snapshot is { } s ? SnapshotFile.Read(Directory, s) : null;
        if (snapshot is { } snap && _log.LogEndOffset < snap.EndOffset)
        {
            // Kafka's rule: a log ending before the newest snapshot restarts at the snapshot.
            _log.TruncateFullyAndStartAt(snap.EndOffset);
            _log.Flush();
        }

        var batches = ReadAll();
        var start = batches.Count > 0 ? batches[0].BaseOffset : _log.LogEndOffset;
        var log = new RaftLog(start, snapshot, snapshotData);
        foreach (var batch in batches) log.Append(batch);
        return log;
    }

    private List<RaftBatch> ReadAll()
    {
        var result = new List<RaftBatch>();
        var offset = _log.LogStartOffset;
        while (offset < _log.LogEndOffset)
        {
            var read = _log.Read(offset, 1024 * 1024);
            if (read.Records.IsEmpty) break;
            var batches = RaftRecordCodec.Decode(read.Records.ToArray(), allowTruncatedTail: true);
            if (batches.Count == 0) break;
            // Read starts at the batch holding the log start offset; keep whole batches only.
            result.AddRange(batches.Where(b => b.BaseOffset >= _log.LogStartOffset || result.Count > 0));
            offset = batches[^1].NextOffset;
        }
        return result;
    }

    /// <summary>Writes the quorum-state and log changes of <paramref name="ready"/> and flushes them.</summary>
    public void Persist(RaftReady ready)
    {
        if (ready.QuorumState is { } state)
            QuorumStateFile.Write(QuorumStatePath, state, _voters);
        var timestamp = _nowMs();
        foreach (var op in ready.LogOps)
        {
            switch (op)
            {
                case AppendOp a:
                    var bytes = RaftRecordCodec.Encode([a.Batch], timestamp);
                    _log.AppendAsFollower(bytes);
                    break;
                case TruncateOp t:
                    _log.TruncateTo(t.Offset);
                    break;
                case StoreSnapshotOp s:
                    SnapshotFile.Write(Directory, s.Id, s.Data);
                    break;
                case DeletePrefixOp d:
                    _log.UpdateHighWatermark(Math.Max(_log.HighWatermark, Math.Min(d.StartOffset, _log.LogEndOffset)));
                    _log.DeleteRecordsBefore(Math.Min(d.StartOffset, _log.HighWatermark));
                    var snapshots = SnapshotFile.List(Directory);
                    if (snapshots.Count > 0) SnapshotFile.DeleteOlderThan(Directory, snapshots[^1]);
                    break;
                case ResetToSnapshotOp r:
                    SnapshotFile.Write(Directory, r.Id, r.Data);
                    _log.TruncateFullyAndStartAt(r.Id.EndOffset);
                    break;
            }
        }
        if (ready.LogOps.Count > 0) _log.Flush();
        if (ready.HighWatermark > _log.HighWatermark)
            _log.UpdateHighWatermark(Math.Min(ready.HighWatermark, _log.LogEndOffset));
    }

    public void Dispose() => _log.Dispose();
}
