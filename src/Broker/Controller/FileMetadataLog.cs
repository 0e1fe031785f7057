using Broker.Log;
using Broker.Metadata;
using Broker.Protocol.Records;
using Broker.Protocol.Wire;

namespace Broker.Controller;

/// <summary>
/// The single-voter metadata log: <c>__cluster_metadata-0</c> in <c>metadata.log.dir</c>, in the same
/// segment format as any partition. Each change is one batch, flushed before it counts as committed,
/// so a crash can lose an unacknowledged change but never half of one.
/// </summary>
public sealed class FileMetadataLog : IMetadataLog, IDisposable
{
    public const string TopicName = "__cluster_metadata";
    private readonly PartitionLog _log;
    private readonly object _appendLock = new();

    public FileMetadataLog(string metadataLogDir)
    {
        // Metadata segments roll small: restarts replay them and snapshots will cut them.
        _log = PartitionLog.Open(Path.Combine(metadataLogDir, TopicName + "-0"), LogConfig.Default with
        {
            SegmentBytes = 8 * 1024 * 1024,
            RetentionMs = -1,
        });
        _log.UpdateHighWatermark(_log.LogEndOffset);
    }

    public long EndOffset => _log.LogEndOffset;

    public ValueTask<long> AppendAsync(IReadOnlyList<VersionedRecord> records, CancellationToken cancel)
    {
        using var builder = new RecordBatchBuilder();
        using var value = new PooledBufferWriter();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var record in records)
        {
            value.Reset();
            MetadataRecordSerde.Write(record, new KafkaWriter(value));
            builder.Append(now, NullableBytes.Null, value.WrittenSpan);
        }
        using var batch = builder.Build();
        long last;
        lock (_appendLock)
        {
            var info = _log.Append(batch.WrittenSpanMutable, leaderEpoch: 0);
            _log.Flush();
            _log.UpdateHighWatermark(_log.LogEndOffset);
            last = info.LastOffset;
        }
        return ValueTask.FromResult(last);
    }

    public IEnumerable<CommittedBatch> ReadCommitted()
    {
        var offset = _log.LogStartOffset;
        while (offset < _log.HighWatermark)
        {
            var read = _log.Read(offset, 1024 * 1024);
            if (read.Records.IsEmpty)
                yield break;
            var bytes = read.Records.ToArray();
            var batches = new List<CommittedBatch>();
            foreach (var bounds in new RecordBatchWalker(bytes, allowTruncatedTail: true))
            {
                var span = bytes.AsSpan(bounds.Position, bounds.Length);
                var header = new RecordBatchHeader(span);
                var records = new List<IKafkaMessage>(header.RecordsCount);
                if (!header.IsControl)
                    foreach (var record in new RecordIterator(span))
                        records.Add(MetadataRecordSerde.Read(record.Value.ToArray()).Record);
                batches.Add(new CommittedBatch(header.LastOffset, records));
                offset = header.LastOffset + 1;
            }
            foreach (var batch in batches)
                yield return batch;
        }
    }

    public void Dispose() => _log.Dispose();
}
