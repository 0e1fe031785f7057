using System.Text;
using Broker.Protocol.Records;

namespace Broker.Log.Tests.Support;

/// <summary>Keyed record batches for compaction tests, and reading a log back as (offset, key, value).</summary>
internal static class KeyedBatches
{
    /// <summary>One batch of the given records; a null value is a tombstone.</summary>
    public static byte[] Create((string Key, string? Value)[] records, CompressionType compression = CompressionType.None,
        long producerId = -1, short epoch = -1, int baseSequence = -1, long timestamp = 1_000)
    {
        using var builder = new RecordBatchBuilder(compression)
        {
            ProducerId = producerId,
            ProducerEpoch = epoch,
            BaseSequence = baseSequence,
        };
        foreach (var (key, value) in records)
            builder.Append(timestamp, Encoding.UTF8.GetBytes(key), value is null ? null : Encoding.UTF8.GetBytes(value));
        using var built = builder.Build();
        return built.WrittenSpan.ToArray();
    }

    public static byte[] One(string key, string? value, long timestamp = 1_000) => Create([(key, value)], timestamp: timestamp);

    /// <summary>Every record the log serves from its start, as a consumer would see them.</summary>
    public static List<(long Offset, string Key, string? Value)> ReadRecords(PartitionLog log)
    {
        var result = new List<(long, string, string?)>();
        foreach (var batch in ReadBatches(log))
            foreach (var record in new RecordIterator(batch))
                result.Add((record.Offset, Encoding.UTF8.GetString(record.Key), record.HasValue ? Encoding.UTF8.GetString(record.Value) : null));
        return result;
    }

    /// <summary>Every batch the log serves from its start, copied out.</summary>
    public static List<byte[]> ReadBatches(PartitionLog log)
    {
        var batches = new List<byte[]>();
        var offset = log.LogStartOffset;
        while (offset < log.LogEndOffset)
        {
            var read = log.Read(offset, int.MaxValue);
            if (read.Records.IsEmpty)
                break;
            var bytes = read.Records.ToArray();
            var position = 0;
            while (position < bytes.Length)
            {
                var header = new RecordBatchHeader(bytes.AsSpan(position));
                batches.Add(bytes.AsSpan(position, header.TotalSize).ToArray());
                offset = header.LastOffset + 1;
                position += header.TotalSize;
            }
        }
        return batches;
    }
}
