using Broker.Config;
using Broker.Protocol;
using Broker.Protocol.Compression;
using Broker.Protocol.Messages;
using Broker.Protocol.Records;

namespace Broker.Replication;

/// <summary>
/// The content checks Kafka's LogValidator makes on a client's batches once their framing and CRC
/// have passed: a CRC only proves the bytes arrived as sent, not that a consumer can read them. A
/// batch stored with a record count, offset deltas or records that disagree stalls every consumer at
/// its offset, so each batch is decoded in full (compressed ones within the decompression budget)
/// before anything is written. Uncompressed records are read in place: nothing is allocated per record.
/// </summary>
public static class ProducedBatchValidator
{
    /// <summary>Kafka lists at most this many record errors in the partition's error message.</summary>
    private const int RecordErrorsInMessage = 3;

    /// <summary>Checks every batch of one partition's produce data; null when all may be appended.</summary>
    /// <param name="batches">Batches whose framing and CRCs are already verified.</param>
    public static AppendResult? Validate(ReadOnlySpan<byte> batches, TopicConfig config, long nowMs,
        int maxDecompressedSize = RecordCompression.DefaultMaxDecompressedSize)
    {
        foreach (var bounds in new RecordBatchWalker(batches, allowTruncatedTail: false, verifyCrc: false))
            if (ValidateBatch(batches.Slice(bounds.Position, bounds.Length), config, nowMs, maxDecompressedSize) is { } rejected)
                return rejected;
        return null;
    }

    private static AppendResult? ValidateBatch(ReadOnlySpan<byte> batch, TopicConfig config, long nowMs, int maxDecompressedSize)
    {
        var header = new RecordBatchHeader(batch);
        if (header.IsControl)
            return Invalid("Clients are not allowed to write control records.");
        var count = header.RecordsCount;
        if (count <= 0)
            return Invalid($"Invalid reported count for record batch: {count}.");
        // Compared as longs: a delta of int.MaxValue must not wrap into agreement.
        if ((long)header.LastOffsetDelta + 1 != count)
            return Invalid($"Inconsistent batch offset range [0, {header.LastOffsetDelta}] and count of records {count}.");
        if (header.ProducerId >= 0 && header.BaseSequence < 0)
            return Invalid($"Invalid sequence number {header.BaseSequence} for producer {header.ProducerId}.");

        var compressed = header.Compression != CompressionType.None;
        // Decompressing is the one step whose memory a client chooses: at most a few at once, so a
        // burst of bombs costs a bounded amount however many connections send them.
        if (compressed)
            DecompressionGate.Wait();
        try
        {
            return ValidateRecords(batch, header, config, nowMs, maxDecompressedSize);
        }
        finally
        {
            if (compressed)
                DecompressionGate.Release();
        }
    }

    private static readonly SemaphoreSlim DecompressionGate = new(Math.Max(1, Environment.ProcessorCount), Math.Max(1, Environment.ProcessorCount));

    private static AppendResult? ValidateRecords(ReadOnlySpan<byte> batch, RecordBatchHeader header, TopicConfig config, long nowMs, int maxDecompressedSize)
    {
        var count = header.RecordsCount;
        RecordIterator records;
        try
        {
            records = new RecordIterator(batch, maxDecompressedSize);
        }
        catch (ProtocolException e)
        {
            return AppendResult.Failed(ErrorCode.CorruptMessage, e.Message);
        }
        List<ProduceResponse.BatchIndexAndErrorMessage>? errors = null;
        var error = ErrorCode.InvalidRecord;
        var checkTimestamps = header.TimestampType == TimestampType.CreateTime;
        using (records)
        {
            var index = 0;
            try
            {
                while (records.MoveNext())
                {
                    var record = records.Current;
                    if (record.OffsetDelta != index)
                        Add(ref errors, index, $"Record {index} has offset delta {record.OffsetDelta}; expected {index}.");
                    else if (config.Compact && !record.HasKey)
                        Add(ref errors, index, "Compacted topic cannot accept message without key.");
                    else if (checkTimestamps && OutOfRange(record.Timestamp, nowMs, config) is { } message)
                    {
                        Add(ref errors, index, message);
                        error = ErrorCode.InvalidTimestamp;
                    }
                    index++;
                }
            }
            catch (ProtocolException e)
            {
                // The records after an undecodable one cannot even be located: it is the last error.
                Add(ref errors, index, e.Message);
                error = ErrorCode.InvalidRecord;
            }
        }
        return errors is null ? null : Rejected(error, errors);
    }

    /// <summary>Kafka's bounds for a CreateTime timestamp; -1 (none) always passes.</summary>
    private static string? OutOfRange(long timestamp, long nowMs, TopicConfig config)
    {
        if (timestamp == RecordBatchLayout.NoTimestamp)
            return null;
        // Int128: the bounds default to Long.MAX_VALUE and must not overflow around now.
        var before = (Int128)nowMs - config.MessageTimestampBeforeMaxMs;
        var after = (Int128)nowMs + config.MessageTimestampAfterMaxMs;
        return timestamp < before || timestamp > after
            ? $"Timestamp {timestamp} of message is out of range. The timestamp should be within [{before}, {after}]."
            : null;
    }

    private static void Add(ref List<ProduceResponse.BatchIndexAndErrorMessage>? errors, int index, string message) =>
        (errors ??= []).Add(new ProduceResponse.BatchIndexAndErrorMessage { BatchIndex = index, BatchIndexErrorMessage = message });

    private static AppendResult Invalid(string message) => AppendResult.Failed(ErrorCode.InvalidRecord, message);

    private static AppendResult Rejected(ErrorCode error, List<ProduceResponse.BatchIndexAndErrorMessage> errors)
    {
        var shown = string.Join(", ", errors.Take(RecordErrorsInMessage).Select(e => $"{e.BatchIndex}: {e.BatchIndexErrorMessage}"));
        return AppendResult.Failed(error,
            $"One or more records have been rejected due to {errors.Count} record errors in total, and only showing the first three errors at most: [{shown}]") with
        { RecordErrors = errors };
    }
}
