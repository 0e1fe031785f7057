using System.Buffers;
using Broker.Protocol.Messages;
using Broker.Protocol.Records;
using Broker.Protocol.Wire;
using Broker.Raft.Core;

namespace Broker.Raft.Kafka;

/// <summary>
/// Core batches as Kafka writes them on <c>__cluster_metadata</c>: v2 record batches whose
/// partition leader epoch is the Raft epoch; data records carry the payload as the value with a
/// null key; a LeaderChange batch is a control batch holding one LeaderChangeMessage.
/// </summary>
public static class RaftRecordCodec
{
    public const short LeaderChangeVersion = 0;

    /// <summary>Appends <paramref name="batch"/> as one Kafka record batch.</summary>
    public static void Write(IBufferWriter<byte> output, RaftBatch batch, long timestamp)
    {
        using var builder = new RecordBatchBuilder
        {
            BaseOffset = batch.BaseOffset,
            PartitionLeaderEpoch = batch.Epoch,
            IsControl = batch.IsControl,
        };
        if (batch.Kind == RaftBatchKind.LeaderChange)
        {
            var change = LeaderChangeRecord.Decode(batch.Records[0]);
            AppendControl(builder, timestamp, ControlRecordType.LeaderChange, ToMessage(change), LeaderChangeVersion);
        }
        else
        {
            foreach (var record in batch.Records)
                builder.Append(timestamp, NullableBytes.Null, record);
        }
        builder.WriteTo(output);
    }

    public static byte[] Encode(IReadOnlyList<RaftBatch> batches, long timestamp)
    {
        using var output = new PooledBufferWriter(256);
        foreach (var batch in batches) Write(output, batch, timestamp);
        return output.ToArray();
    }

    /// <summary>
    /// Reads concatenated batches back. Snapshot header/footer control batches are skipped (they
    /// frame snapshot files); other unknown control records are kept as opaque data would not be.
    /// </summary>
    public static List<RaftBatch> Decode(ReadOnlyMemory<byte> bytes, bool allowTruncatedTail = false)
    {
        var result = new List<RaftBatch>();
        foreach (var bounds in new RecordBatchWalker(bytes.Span, allowTruncatedTail))
        {
            var batchBytes = bytes.Slice(bounds.Position, bounds.Length);
            var batch = DecodeBatch(batchBytes);
            if (batch is not null) result.Add(batch);
        }
        return result;
    }

    private static RaftBatch? DecodeBatch(ReadOnlyMemory<byte> batchBytes)
    {
        var header = new RecordBatchHeader(batchBytes.Span);
        var records = new List<byte[]>(header.RecordsCount);
        var kind = RaftBatchKind.Data;
        foreach (var record in new RecordIterator(batchBytes.Span))
        {
            if (!header.IsControl)
            {
                records.Add(record.Value.ToArray());
                continue;
            }
            switch (ControlRecord.ReadType(record))
            {
                case ControlRecordType.LeaderChange:
                    var message = new LeaderChangeMessage();
                    var reader = new KafkaReader(record.Value.ToArray());
                    message.Read(ref reader, LeaderChangeVersion);
                    records.Add(FromMessage(message).Encode());
                    kind = RaftBatchKind.LeaderChange;
                    break;
                case ControlRecordType.SnapshotHeader:
                case ControlRecordType.SnapshotFooter:
                    return null;
                default:
                    // KRaftVersion / KRaftVoters (KIP-853) are not used by this quorum yet; keep the
                    // offsets by carrying the value as an opaque record.
                    records.Add(record.Value.ToArray());
                    break;
            }
        }
        return new RaftBatch(header.BaseOffset, header.PartitionLeaderEpoch, kind, records);
    }

    /// <summary>Writes one control batch holding <paramref name="message"/> as the record value.</summary>
    public static void WriteControlBatch(IBufferWriter<byte> output, long baseOffset, int epoch, long timestamp,
        ControlRecordType type, IKafkaMessage message, short version)
    {
        using var builder = new RecordBatchBuilder { BaseOffset = baseOffset, PartitionLeaderEpoch = epoch, IsControl = true };
        AppendControl(builder, timestamp, type, message, version);
        builder.WriteTo(output);
    }

    private static void AppendControl(RecordBatchBuilder builder, long timestamp, ControlRecordType type, IKafkaMessage message, short version)
    {
        Span<byte> key = stackalloc byte[ControlRecord.KeySize];
        ControlRecord.WriteKey(key, type);
        using var value = new PooledBufferWriter(64);
        message.Write(new KafkaWriter(value), version);
        builder.Append(timestamp, (ReadOnlySpan<byte>)key, value.WrittenSpan);
    }

    private static LeaderChangeMessage ToMessage(LeaderChangeRecord change) => new()
    {
        Version = LeaderChangeVersion,
        LeaderId = change.LeaderId,
        Voters = change.Voters.Select(v => new LeaderChangeMessage.Voter { VoterId = v }).ToList(),
        GrantingVoters = change.GrantingVoters.Select(v => new LeaderChangeMessage.Voter { VoterId = v }).ToList(),
    };

    private static LeaderChangeRecord FromMessage(LeaderChangeMessage m) =>
        new(m.LeaderId, m.Voters.Select(v => v.VoterId).ToArray(), m.GrantingVoters.Select(v => v.VoterId).ToArray());
}
