using Broker.Metadata;
using Broker.Protocol.Wire;
using Broker.Raft.Client;
using Broker.Raft.Core;

namespace Broker.Controller;

/// <summary>
/// <see cref="IMetadataLog"/> over the Raft quorum: appends are committed by a majority of the
/// controller voters, and every node (voter or observer) sees committed batches as they arrive.
/// It is the <see cref="IRaftListener"/> of the <see cref="RaftClient"/> it is attached to.
/// Only the quorum leader (the active controller) may append, and only in the epoch it was
/// activated for (<see cref="WriterEpoch"/>): a change decided against the image of an older
/// term must not be written into a newer one.
/// </summary>
public sealed class RaftMetadataLog : IMetadataLog, IRaftListener
{
    /// <summary><see cref="WriterEpoch"/> value that lets any leader epoch append (single-process tests).</summary>
    public const int AnyEpoch = int.MinValue;

    /// <summary><see cref="WriterEpoch"/> value that refuses every append: this node is not the active controller.</summary>
    public const int NotWriting = -1;

    private readonly object _lock = new();
    private readonly List<CommittedBatch> _committed = new();
    private readonly bool _keepCommitted;
    private RaftClient? _client;
    private volatile int _writerEpoch = AnyEpoch;
    private long _appliedOffset = -1;
    private int _appliedEpoch = -1;

    /// <param name="keepCommitted">Keep every committed batch for <see cref="ReadCommitted"/> (tests); a node follows <see cref="Committed"/> instead.</param>
    public RaftMetadataLog(bool keepCommitted = true) => _keepCommitted = keepCommitted;

    /// <summary>A batch committed (on the Raft thread; keep handlers short). Control batches come with no records, for their offsets.</summary>
    public event Action<CommittedBatch>? Committed;

    /// <summary>The snapshot replaced everything committed before it.</summary>
    public event Action<SnapshotId, IReadOnlyList<IKafkaMessage>>? SnapshotLoaded;

    public event Action<LeaderAndEpoch>? LeaderChanged;

    /// <summary>Connects the client built with this object as its listener.</summary>
    public void Attach(RaftClient client) => _client = client;

    public LeaderAndEpoch Leader => Client.Leader;

    /// <summary>The epoch appends are made in; <see cref="NotWriting"/> refuses them.</summary>
    public int WriterEpoch
    {
        get => _writerEpoch;
        set => _writerEpoch = value;
    }

    /// <summary>Offset of the last committed record handed to this listener (control records included), -1 before any.</summary>
    public long AppliedOffset => Interlocked.Read(ref _appliedOffset);

    /// <summary>Leader epoch of the last committed batch handed to this listener.</summary>
    public int AppliedEpoch => Volatile.Read(ref _appliedEpoch);

    private RaftClient Client => _client ?? throw new InvalidOperationException("RaftMetadataLog is not attached to a RaftClient.");

    public async ValueTask<long> AppendAsync(IReadOnlyList<VersionedRecord> records, CancellationToken cancel)
    {
        var client = Client;
        var epoch = _writerEpoch == AnyEpoch ? client.Leader.Epoch : _writerEpoch;
        if (epoch == NotWriting)
            throw new NotLeaderException($"node {client.NodeId} is not the active controller", client.Leader);
        var values = new byte[records.Count][];
        using var buffer = new PooledBufferWriter(256);
        for (var i = 0; i < records.Count; i++)
        {
            buffer.Reset();
            MetadataRecordSerde.Write(records[i], new KafkaWriter(buffer));
            values[i] = buffer.ToArray();
        }
        return await client.AppendAsync(epoch, values, cancel).ConfigureAwait(false);
    }

    public IEnumerable<CommittedBatch> ReadCommitted()
    {
        lock (_lock) return _committed.ToList();
    }

    void IRaftListener.HandleCommit(IReadOnlyList<RaftBatch> batches)
    {
        foreach (var batch in batches)
        {
            var committed = new CommittedBatch(batch.LastOffset,
                batch.IsControl ? [] : batch.Records.Select(r => MetadataRecordSerde.Read(r).Record).ToArray(),
                batch.Records.Sum(r => (long)r.Length));
            if (_keepCommitted && !batch.IsControl)
                lock (_lock) _committed.Add(committed);
            Committed?.Invoke(committed);
            Interlocked.Exchange(ref _appliedOffset, batch.LastOffset);
            Volatile.Write(ref _appliedEpoch, batch.Epoch);
        }
    }

    void IRaftListener.HandleLoadSnapshot(SnapshotId id, IReadOnlyList<byte[]> records)
    {
        var messages = records.Select(r => MetadataRecordSerde.Read(r).Record).ToArray();
        if (_keepCommitted)
            lock (_lock)
            {
                _committed.Clear();
                _committed.Add(new CommittedBatch(id.EndOffset - 1, messages));
            }
        SnapshotLoaded?.Invoke(id, messages);
        Interlocked.Exchange(ref _appliedOffset, id.EndOffset - 1);
        Volatile.Write(ref _appliedEpoch, id.Epoch);
    }

    void IRaftListener.HandleLeaderChange(LeaderAndEpoch leader) => LeaderChanged?.Invoke(leader);
}
