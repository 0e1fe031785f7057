using Broker.Metadata;
using Broker.Protocol.Wire;
using Broker.Raft.Client;
using Broker.Raft.Core;

namespace Broker.Controller;

/// <summary>
/// <see cref="IMetadataLog"/> over the Raft quorum: appends are committed by a majority of the
/// controller voters, and every node (voter or observer) sees committed batches as they arrive.
/// It is the <see cref="IRaftListener"/> of the <see cref="RaftClient"/> it is attached to.
/// Only the quorum leader (the active controller) may append.
/// </summary>
public sealed class RaftMetadataLog : IMetadataLog, IRaftListener
{
    private readonly object _lock = new();
    private readonly List<CommittedBatch> _committed = new();
    private RaftClient? _client;

    /// <summary>A batch committed (on the Raft thread; keep handlers short).</summary>
    public event Action<CommittedBatch>? Committed;

    /// <summary>The snapshot replaced everything committed before it.</summary>
    public event Action<SnapshotId, IReadOnlyList<IKafkaMessage>>? SnapshotLoaded;

    public event Action<LeaderAndEpoch>? LeaderChanged;

    /// <summary>Connects the client built with this object as its listener.</summary>
    public void Attach(RaftClient client) => _client = client;

    public LeaderAndEpoch Leader => Client.Leader;

    private RaftClient Client => _client ?? throw new InvalidOperationException("RaftMetadataLog is not attached to a RaftClient.");

    public async ValueTask<long> AppendAsync(IReadOnlyList<VersionedRecord> records, CancellationToken cancel)
    {
        var values = new byte[records.Count][];
        using var buffer = new PooledBufferWriter(256);
        for (var i = 0; i < records.Count; i++)
        {
            buffer.Reset();
            MetadataRecordSerde.Write(records[i], new KafkaWriter(buffer));
            values[i] = buffer.ToArray();
        }
        var client = Client;
        return await client.AppendAsync(client.Leader.Epoch, values, cancel).ConfigureAwait(false);
    }

    public IEnumerable<CommittedBatch> ReadCommitted()
    {
        lock (_lock) return _committed.ToList();
    }

    void IRaftListener.HandleCommit(IReadOnlyList<RaftBatch> batches)
    {
        foreach (var batch in batches)
        {
            if (batch.IsControl) continue;
            var committed = new CommittedBatch(batch.LastOffset, batch.Records.Select(r => MetadataRecordSerde.Read(r).Record).ToArray());
            lock (_lock) _committed.Add(committed);
            Committed?.Invoke(committed);
        }
    }

    void IRaftListener.HandleLoadSnapshot(SnapshotId id, IReadOnlyList<byte[]> records)
    {
        var messages = records.Select(r => MetadataRecordSerde.Read(r).Record).ToArray();
        lock (_lock)
        {
            _committed.Clear();
            _committed.Add(new CommittedBatch(id.EndOffset - 1, messages));
        }
        SnapshotLoaded?.Invoke(id, messages);
    }

    void IRaftListener.HandleLeaderChange(LeaderAndEpoch leader) => LeaderChanged?.Invoke(leader);
}
