using System.Buffers.Binary;
using Broker.Protocol;
using Broker.Protocol.Compression;
using Broker.Protocol.Records;
using Broker.Protocol.Wire;

namespace Broker.Log;

/// <summary>
/// Rewrites one record batch keeping the records the cleaner retains. Offsets never move: the
/// base offset, last offset delta, base timestamp and producer fields stay, and the kept records'
/// bytes are copied as they are (their deltas are relative to those), so a consumer sees the same
/// offsets and timestamps with gaps where superseded records were. A compressed batch is
/// decompressed, filtered and recompressed with its own codec.
/// </summary>
internal static class CleanerBatchFilter
{
    /// <summary>Walks the keyed records of a data batch (control and transactional batches are left to transactions).</summary>
    public static bool IsCompactable(in BatchInfo batch) =>
        !batch.IsControl && (batch.Attributes & RecordBatchLayout.TransactionalFlag) == 0;

    /// <summary>Calls <paramref name="visit"/> with each record's key, offset and whether its value is null.</summary>
    public static void ForEachRecord<TState>(ReadOnlySpan<byte> batch, TState state, RecordVisitor<TState> visit)
    {
        var header = new RecordBatchHeader(batch);
        using var decompressed = Records(batch, header, out var records);
        var position = 0;
        for (var i = 0; i < header.RecordsCount; i++)
        {
            var start = position;
            var length = Varint.ReadVarint(records, ref position);
            var body = records.Slice(position, length);
            position += length;
            ReadKey(body, out var key, out var hasKey, out var hasValue, out var offsetDelta);
            visit(state, records[start..position], hasKey ? key : default, hasKey, hasValue, header.BaseOffset + offsetDelta);
        }
    }

    /// <summary>Whether the record with this key, null-ness of key and value, and offset stays.</summary>
    public delegate bool RetainRecord(ReadOnlySpan<byte> key, bool hasKey, bool hasValue, long offset);

    public delegate void RecordVisitor<TState>(TState state, ReadOnlySpan<byte> record, ReadOnlySpan<byte> key, bool hasKey, bool hasValue, long offset);

    /// <summary>
    /// Writes the batch to <paramref name="output"/> with only the records <paramref name="retain"/>
    /// accepts; an emptied batch is written header-only when <paramref name="keepIfEmpty"/> (an
    /// idempotent producer's last batch, which its sequence state needs), else dropped.
    /// Returns the number of records kept.
    /// </summary>
    public static int Filter(ReadOnlySpan<byte> batch, PooledBufferWriter output, RetainRecord retain, bool keepIfEmpty)
    {
        var header = new RecordBatchHeader(batch);
        var compression = header.Compression;
        using var kept = new PooledBufferWriter(batch.Length);
        ForEachRecord(batch, (kept, retain), (s, record, key, hasKey, hasValue, offset) =>
        {
            if (!s.retain(key, hasKey, hasValue, offset))
                return;
            record.CopyTo(s.kept.GetSpan(record.Length));
            s.kept.Advance(record.Length);
        });
        // Count again outside the lambda: a ref struct state cannot carry a counter out.
        var count = CountRecords(kept.WrittenSpan);
        if (count == header.RecordsCount)
        {
            batch.CopyTo(output.GetSpan(batch.Length));
            output.Advance(batch.Length);
            return count;
        }
        if (count == 0 && !keepIfEmpty)
            return 0;

        var start = output.WrittenCount;
        var headerSpan = output.GetSpan(RecordBatchLayout.HeaderSize);
        batch[..RecordBatchLayout.HeaderSize].CopyTo(headerSpan);
        output.Advance(RecordBatchLayout.HeaderSize);
        if (compression == CompressionType.None || count == 0)
        {
            kept.WrittenSpan.CopyTo(output.GetSpan(kept.WrittenCount));
            output.Advance(kept.WrittenCount);
        }
        else
        {
            RecordCompression.Compress(compression, kept.WrittenSpan, output);
        }
        var rewritten = output.WrittenSpanMutable[start..];
        BinaryPrimitives.WriteInt32BigEndian(rewritten[RecordBatchLayout.BatchLength..], rewritten.Length - RecordBatchLayout.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(rewritten[RecordBatchLayout.RecordsCount..], count);
        if (count == 0)
        {
            // An empty batch carries no codec; Kafka writes its records section uncompressed.
            var attributes = (short)(BinaryPrimitives.ReadInt16BigEndian(rewritten[RecordBatchLayout.Attributes..]) & ~RecordBatchLayout.CompressionMask);
            BinaryPrimitives.WriteInt16BigEndian(rewritten[RecordBatchLayout.Attributes..], attributes);
        }
        BinaryPrimitives.WriteUInt32BigEndian(rewritten[RecordBatchLayout.Crc..], RecordBatchHeader.ComputeCrc(rewritten));
        return count;
    }

    private static int CountRecords(ReadOnlySpan<byte> records)
    {
        var count = 0;
        var position = 0;
        while (position < records.Length)
        {
            var length = Varint.ReadVarint(records, ref position);
            position += length;
            count++;
        }
        return count;
    }

    private static PooledBufferWriter? Records(ReadOnlySpan<byte> batch, RecordBatchHeader header, out ReadOnlySpan<byte> records)
    {
        var payload = batch[RecordBatchLayout.HeaderSize..header.TotalSize];
        if (header.Compression == CompressionType.None)
        {
            records = payload;
            return null;
        }
        var decompressed = new PooledBufferWriter(payload.Length * 4);
        try
        {
            RecordCompression.Decompress(header.Compression, payload, decompressed);
        }
        catch
        {
            decompressed.Dispose();
            throw;
        }
        records = decompressed.WrittenSpan;
        return decompressed;
    }

    /// <summary>attributes, timestamp delta, offset delta, key, value: the fields the cleaner looks at.</summary>
    private static void ReadKey(ReadOnlySpan<byte> body, out ReadOnlySpan<byte> key, out bool hasKey, out bool hasValue, out int offsetDelta)
    {
        var p = 1;
        Varint.ReadVarlong(body, ref p);
        offsetDelta = Varint.ReadVarint(body, ref p);
        var keyLength = Varint.ReadVarint(body, ref p);
        hasKey = keyLength >= 0;
        key = hasKey ? body.Slice(p, keyLength) : default;
        p += Math.Max(keyLength, 0);
        hasValue = Varint.ReadVarint(body, ref p) >= 0;
    }
}
