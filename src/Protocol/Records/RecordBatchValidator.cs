namespace Broker.Protocol.Records;

/// <summary>The checks a record batch v2 must pass before anything trusts its header.</summary>
public static class RecordBatchValidator
{
    /// <summary>The smallest legal batch-length field: a header with no records.</summary>
    public const int MinBatchLength = RecordBatchLayout.HeaderSize - RecordBatchLayout.LogOverhead;

    /// <summary>
    /// Checks the batch that starts at <paramref name="bytes"/>[0]: magic 2, a batch length that
    /// fits the bytes available, a non-negative record count and, unless told otherwise, the CRC32C.
    /// </summary>
    /// <returns>The batch's total size; bytes after it are not looked at.</returns>
    /// <exception cref="CorruptRecordException">Any check fails.</exception>
    public static int Validate(ReadOnlySpan<byte> bytes, bool verifyCrc = true)
    {
        int size = CheckStructure(bytes);
        if (verifyCrc)
        {
            var header = new RecordBatchHeader(bytes);
            uint computed = RecordBatchHeader.ComputeCrc(bytes[..size]);
            if (computed != header.Crc)
                throw new CorruptRecordException(
                    $"Record batch at base offset {header.BaseOffset} has CRC 0x{header.Crc:X8} but its bytes give 0x{computed:X8}.");
        }
        return size;
    }

    /// <summary>Everything <see cref="Validate"/> checks except the CRC.</summary>
    /// <returns>The batch's total size.</returns>
    internal static int CheckStructure(ReadOnlySpan<byte> bytes)
    {
        var header = new RecordBatchHeader(bytes);
        if (header.Magic != RecordBatchLayout.CurrentMagic)
            throw new CorruptRecordException($"Record batch magic is {header.Magic}; only {RecordBatchLayout.CurrentMagic} is supported.");
        int batchLength = header.BatchLength;
        if (batchLength < MinBatchLength)
            throw new CorruptRecordException($"Record batch length {batchLength} is below the minimum of {MinBatchLength}.");
        if (batchLength > bytes.Length - RecordBatchLayout.LogOverhead)
            throw new CorruptRecordException(
                $"Record batch declares {batchLength + (long)RecordBatchLayout.LogOverhead} bytes but only {bytes.Length} are available.");
        if (header.RecordsCount < 0)
            throw new CorruptRecordException($"Record batch declares {header.RecordsCount} records.");
        return header.TotalSize;
    }
}
