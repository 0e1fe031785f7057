using System.Buffers.Binary;
using Broker.Protocol.Records;

namespace Broker.Log;

/// <summary>What is wrong, if anything, with the bytes at the start of a buffer taken as one batch.</summary>
public enum BatchStatus
{
    Valid,
    /// <summary>The buffer ends before the batch does: a torn write at a log's tail.</summary>
    Incomplete,
    /// <summary>The length field is too small to hold a v2 header.</summary>
    InvalidLength,
    InvalidMagic,
    /// <summary>The last offset delta is negative, so offsets would run backwards.</summary>
    InvalidOffsetDelta,
    CrcMismatch,
}

/// <summary>
/// Framing and CRC checks for record batch v2, shared by crash recovery and by appends; a produce
/// validator can call <see cref="Check"/> before handing batches to <see cref="PartitionLog.Append"/>.
/// </summary>
public static class BatchCheck
{
    /// <summary>Checks length, magic and offset delta, not the CRC: what an append needs to walk batches safely.</summary>
    /// <param name="size">The batch's total size when the length field is readable, else 0.</param>
    public static BatchStatus Framing(ReadOnlySpan<byte> bytes, out int size)
    {
        size = 0;
        if (bytes.Length < RecordBatchLayout.LogOverhead)
            return BatchStatus.Incomplete;
        var batchLength = BinaryPrimitives.ReadInt32BigEndian(bytes[RecordBatchLayout.BatchLength..]);
        if (batchLength < RecordBatchLayout.HeaderSize - RecordBatchLayout.LogOverhead)
            return BatchStatus.InvalidLength;
        // Widened: a length near int.MaxValue must read as "past the end", not wrap negative.
        var total = (long)batchLength + RecordBatchLayout.LogOverhead;
        if (total > bytes.Length)
            return BatchStatus.Incomplete;
        size = (int)total;
        if (bytes[RecordBatchLayout.Magic] != RecordBatchLayout.CurrentMagic)
            return BatchStatus.InvalidMagic;
        if (BinaryPrimitives.ReadInt32BigEndian(bytes[RecordBatchLayout.LastOffsetDelta..]) < 0)
            return BatchStatus.InvalidOffsetDelta;
        return BatchStatus.Valid;
    }

    /// <summary><see cref="Framing"/> plus the CRC32C over attributes to the end of the batch.</summary>
    public static BatchStatus Check(ReadOnlySpan<byte> bytes, out int size)
    {
        var status = Framing(bytes, out size);
        if (status != BatchStatus.Valid)
            return status;
        var batch = bytes[..size];
        return RecordBatchHeader.ComputeCrc(batch) == new RecordBatchHeader(batch).Crc ? BatchStatus.Valid : BatchStatus.CrcMismatch;
    }
}
