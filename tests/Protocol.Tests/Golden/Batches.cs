using System.Text;
using Broker.Protocol.Compression;
using Broker.Protocol.Records;

namespace Broker.Protocol.Tests.Golden;

internal sealed record DecodedRecord(long Offset, long Timestamp, string? Key, string? Value, IReadOnlyList<(string Key, string? Value)> Headers)
{
    /// <summary>The same record without offset and timestamp, to compare with what was sent.</summary>
    public CannedRecord Content => new(Key, Value, [.. Headers]);
}

internal sealed record DecodedBatch(
    long BaseOffset, CompressionType Compression, TimestampType TimestampType, long ProducerId, short ProducerEpoch,
    int BaseSequence, bool IsTransactional, int LastOffsetDelta, long BaseTimestamp, long MaxTimestamp,
    IReadOnlyList<DecodedRecord> Records);

/// <summary>Turns a records field into plain objects, checking every batch's CRC on the way.</summary>
internal static class Batches
{
    public static IReadOnlyList<DecodedBatch> Decode(ReadOnlyMemory<byte>? records)
    {
        var batches = new List<DecodedBatch>();
        if (records is null)
            return batches;
        var walker = new RecordBatchWalker(records.Value.Span, allowTruncatedTail: false, verifyCrc: true);
        foreach (var bounds in walker)
            batches.Add(DecodeOne(records.Value.Span.Slice(bounds.Position, bounds.Length)));
        return batches;
    }

    private static DecodedBatch DecodeOne(ReadOnlySpan<byte> batch)
    {
        var header = new RecordBatchHeader(batch);
        var records = new List<DecodedRecord>();
        foreach (var record in new RecordIterator(batch))
        {
            var headers = new List<(string, string?)>();
            foreach (var h in record.Headers)
                headers.Add((Encoding.UTF8.GetString(h.Key), h.HasValue ? Encoding.UTF8.GetString(h.Value) : null));
            records.Add(new DecodedRecord(
                record.Offset, record.Timestamp,
                record.HasKey ? Encoding.UTF8.GetString(record.Key) : null,
                record.HasValue ? Encoding.UTF8.GetString(record.Value) : null,
                headers));
        }
        return new DecodedBatch(
            header.BaseOffset, header.Compression, header.TimestampType, header.ProducerId, header.ProducerEpoch,
            header.BaseSequence, header.IsTransactional, header.LastOffsetDelta, header.BaseTimestamp, header.MaxTimestamp,
            records);
    }
}
