using System.Buffers;
using System.Buffers.Binary;
using Broker.Protocol;
using Broker.Protocol.Records;

namespace Broker.Log;

/// <summary>What <see cref="LogVerifier"/> found in one or more log directories.</summary>
public sealed class LogVerification
{
    public int Partitions { get; internal set; }
    public long Batches { get; internal set; }
    public long Records { get; internal set; }

    /// <summary>One line per batch that does not decode: file, position, base offset and why.</summary>
    public List<string> Problems { get; } = [];
}

/// <summary>
/// Walks every stored batch of every partition in a log directory and decodes every record, as a
/// consumer would: framing, CRC, record count, offset deltas 0..n-1, compressed payloads. Proves
/// that nothing a consumer would stall on was stored. Reads a segment one batch at a time, so a
/// large segment costs one batch of memory.
/// </summary>
public static class LogVerifier
{
    /// <summary>Every partition directory in each of <paramref name="logDirectories"/>.</summary>
    public static LogVerification Verify(IEnumerable<string> logDirectories) =>
        VerifyPartitions(logDirectories.SelectMany(d => Directory.GetDirectories(d).Order(StringComparer.Ordinal))
            .Where(p => TopicPartition.TryParse(Path.GetFileName(p), out _)));

    /// <summary>The given partition directories only.</summary>
    public static LogVerification VerifyPartitions(IEnumerable<string> partitionDirectories)
    {
        var result = new LogVerification();
        foreach (var partitionDir in partitionDirectories)
        {
            result.Partitions++;
            foreach (var segment in Directory.GetFiles(partitionDir, "*" + LogFileNames.LogSuffix).Order(StringComparer.Ordinal))
                VerifySegment(segment, result);
        }
        return result;
    }

    private static void VerifySegment(string path, LogVerification result)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var prefix = new byte[RecordBatchLayout.LogOverhead];
        long position = 0;
        while (position < file.Length)
        {
            file.Position = position;
            if (file.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false) < prefix.Length)
            {
                result.Problems.Add($"{path} at position {position}: {file.Length - position} trailing bytes are not a whole batch header.");
                return;
            }
            var length = BinaryPrimitives.ReadInt32BigEndian(prefix.AsSpan(RecordBatchLayout.BatchLength));
            if (length == 0 && BinaryPrimitives.ReadInt64BigEndian(prefix) == 0)
                return; // preallocated space after the last batch
            var size = (long)length + RecordBatchLayout.LogOverhead;
            if (length < RecordBatchValidator.MinBatchLength || position + size > file.Length)
            {
                result.Problems.Add($"{path} at position {position}: batch length {length} does not fit the {file.Length - position} bytes left.");
                return;
            }
            var buffer = ArrayPool<byte>.Shared.Rent((int)size);
            try
            {
                file.Position = position;
                file.ReadExactly(buffer, 0, (int)size);
                VerifyBatch(buffer.AsSpan(0, (int)size), path, position, result);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            position += size;
        }
    }

    private static void VerifyBatch(ReadOnlySpan<byte> batch, string path, long position, LogVerification result)
    {
        result.Batches++;
        var header = new RecordBatchHeader(batch);
        try
        {
            RecordBatchValidator.Validate(batch);
            if ((long)header.LastOffsetDelta + 1 < header.RecordsCount)
                throw new CorruptRecordException($"Last offset delta {header.LastOffsetDelta} leaves no room for {header.RecordsCount} records.");
            var index = 0;
            foreach (var record in new RecordIterator(batch))
            {
                if (!header.IsControl && record.OffsetDelta != index)
                    throw new CorruptRecordException($"Record {index} has offset delta {record.OffsetDelta}.");
                index++;
                result.Records++;
            }
        }
        catch (ProtocolException e)
        {
            result.Problems.Add($"{path} at position {position}, base offset {header.BaseOffset}: {e.Message}");
        }
    }
}
