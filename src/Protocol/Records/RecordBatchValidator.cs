using System.Buffers.Binary;

namespace Broker.Protocol.Records;

/// <summary>The checks a record batch v2 must pass before anything trusts its header.</summary>
public static class RecordBatchValidator
{
    /// <summary>The smallest legal batch-length field: a header with no records.</summary>
    public const int MinBatchLength = RecordBatchLayout.HeaderSize - RecordBatchLayout.LogOverhead;

    /// <summary>
    /// Checks the batch that starts at <paramref name="bytes"/>[0] without throwing, for callers that
    /// act on the kind of failure (log recovery cuts a torn tail but stops at corruption). Lengths are
    /// checked before anything else, so a short buffer reads as <see cref="RecordBatchStatus.Incomplete"/>.
    /// </summary>
    /// <param name="size">The batch's total size once its length field is readable and sane, else 0.</param>
    public static RecordBatchStatus Check(ReadOnlySpan<byte> bytes, bool verifyCrc, out int size)
    {
        size = 0;
        if (bytes.Length < RecordBatchLayout.LogOverhead)
            return RecordBatchStatus.Incomplete;
        var batchLength = BinaryPrimitives.ReadInt32BigEndian(bytes[RecordBatchLayout.BatchLength..]);
        if (batchLength < MinBatchLength)
            return RecordBatchStatus.InvalidLength;
        // Widened: a length near int.MaxValue must read as "past the end", not wrap negative.
        var total = (long)batchLength + RecordBatchLayout.LogOverhead;
        if (total > bytes.Length)
            return RecordBatchStatus.Incomplete;
        size = (int)total;
        var header = new RecordBatchHeader(bytes);
        if (header.Magic != RecordBatchLayout.CurrentMagic)
            return RecordBatchStatus.InvalidMagic;
        if (header.LastOffsetDelta < 0)
            return RecordBatchStatus.InvalidOffsetDelta;
        if (header.RecordsCount < 0)
            return RecordBatchStatus.InvalidRecordCount;
        if (verifyCrc && RecordBatchHeader.ComputeCrc(bytes[..size]) != header.Crc)
            return RecordBatchStatus.CrcMismatch;
        return RecordBatchStatus.Valid;
    }

    /// <summary>
    /// Checks the batch that starts at <paramref name="bytes"/>[0]: magic 2, a batch length that
    /// fits the bytes available, sane offset delta and record count and, unless told otherwise, the CRC32C.
    /// </summary>
    /// <returns>The batch's total size; bytes after it are not looked at.</returns>
    /// <exception cref="CorruptRecordException">Any check fails.</exception>
    public static int Validate(ReadOnlySpan<byte> bytes, bool verifyCrc = true)
    {
        var status = Check(bytes, verifyCrc, out var size);
        if (status != RecordBatchStatus.Valid)
            throw Describe(status, bytes);
        return size;
    }

    /// <summary>Everything <see cref="Validate"/> checks except the CRC.</summary>
    /// <returns>The batch's total size.</returns>
    internal static int CheckStructure(ReadOnlySpan<byte> bytes) => Validate(bytes, verifyCrc: false);

    /// <summary>The exception for a failed <see cref="Check"/>, worded for logs and Produce error messages.</summary>
    internal static CorruptRecordException Describe(RecordBatchStatus status, ReadOnlySpan<byte> bytes)
    {
        var batchLength = bytes.Length >= RecordBatchLayout.LogOverhead ? BinaryPrimitives.ReadInt32BigEndian(bytes[RecordBatchLayout.BatchLength..]) : -1;
        return new CorruptRecordException(status switch
        {
            RecordBatchStatus.Incomplete => bytes.Length < RecordBatchLayout.LogOverhead
                ? $"Record batch needs at least {RecordBatchLayout.LogOverhead} bytes to read its length, got {bytes.Length}."
                : $"Record batch declares {batchLength + (long)RecordBatchLayout.LogOverhead} bytes but only {bytes.Length} are available.",
            RecordBatchStatus.InvalidLength => $"Record batch length {batchLength} is below the minimum of {MinBatchLength}.",
            RecordBatchStatus.InvalidMagic => $"Record batch magic is {bytes[RecordBatchLayout.Magic]}; only {RecordBatchLayout.CurrentMagic} is supported.",
            RecordBatchStatus.InvalidOffsetDelta => $"Record batch last offset delta {new RecordBatchHeader(bytes).LastOffsetDelta} is negative.",
            RecordBatchStatus.InvalidRecordCount => $"Record batch declares {new RecordBatchHeader(bytes).RecordsCount} records.",
            _ => CrcMessage(bytes),
        });
    }

    private static string CrcMessage(ReadOnlySpan<byte> bytes)
    {
        var header = new RecordBatchHeader(bytes);
        return $"Record batch at base offset {header.BaseOffset} has CRC 0x{header.Crc:X8} but its bytes give 0x{RecordBatchHeader.ComputeCrc(bytes[..header.TotalSize]):X8}.";
    }
}
