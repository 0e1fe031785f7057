using Broker.Log;
using Broker.Protocol;
using Broker.Protocol.Records;
using Broker.Replication;

namespace Broker.Groups;

/// <summary>__consumer_offsets through the replica manager: the same append path and checks as a Produce with acks=all.</summary>
public sealed class ReplicaGroupLog(ReplicaManager replicas) : IGroupLog
{
    public const string Topic = "__consumer_offsets";

    /// <summary>The append's own error, as a Produce would get it; <see cref="GroupLogErrors"/> turns it into a group client's.</summary>
    public ErrorCode Append(int partition, IReadOnlyList<GroupRecord> records)
    {
        var hosted = replicas.Get(Topic, partition);
        if (hosted is null || hosted.Role != PartitionRole.Leader)
            return ErrorCode.NotLeaderOrFollower;
        using var builder = new RecordBatchBuilder();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var record in records)
            builder.Append(now, record.Key, record.Value);
        using var batch = builder.Build();
        return replicas.Append(hosted, batch.WrittenSpanMutable, requireMinIsr: true).Error;
    }

    public IEnumerable<GroupRecord> ReadAll(int partition)
    {
        var hosted = replicas.Get(Topic, partition);
        if (hosted is null)
            yield break;
        var log = hosted.Log;
        var offset = log.LogStartOffset;
        var end = log.LogEndOffset;
        while (offset < end)
        {
            byte[] bytes;
            try
            {
                bytes = log.Read(offset, 1 << 20, end).Records.ToArray();
            }
            catch (OffsetOutOfRangeException)
            {
                offset = log.LogStartOffset; // retention or compaction moved the start meanwhile
                continue;
            }
            if (bytes.Length == 0)
                yield break;
            var (records, next) = Decode(bytes);
            foreach (var record in records)
                yield return record;
            if (next <= offset)
                yield break;
            offset = next;
        }
    }

    private static (List<GroupRecord> Records, long Next) Decode(byte[] bytes)
    {
        var records = new List<GroupRecord>();
        var next = -1L;
        foreach (var bounds in new RecordBatchWalker(bytes, allowTruncatedTail: true, verifyCrc: false))
        {
            var span = bytes.AsSpan(bounds.Position, bounds.Length);
            var header = new RecordBatchHeader(span);
            next = header.LastOffset + 1;
            if (header.IsControl)
                continue;
            foreach (var record in new RecordIterator(span))
                if (record.HasKey)
                    records.Add(new GroupRecord(record.Key.ToArray(), record.HasValue ? record.Value.ToArray() : null));
        }
        return (records, next);
    }
}
