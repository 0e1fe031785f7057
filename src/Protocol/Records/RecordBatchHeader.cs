using System.Buffers.Binary;

namespace Broker.Protocol.Records;

/// <summary>
/// A zero-copy view of one record batch v2 header over bytes the caller owns.
/// Reading a field costs one big-endian load; nothing is decoded until asked for.
/// </summary>
public readonly ref struct RecordBatchHeader
{
    private readonly ReadOnlySpan<byte> _bytes;

    /// <param name="bytes">At least <see cref="RecordBatchLayout.HeaderSize"/> bytes starting at a batch.</param>
    public RecordBatchHeader(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < RecordBatchLayout.HeaderSize)
            throw new CorruptRecordException($"Record batch header needs {RecordBatchLayout.HeaderSize} bytes, got {bytes.Length}.");
        _bytes = bytes;
    }

    public long BaseOffset => BinaryPrimitives.ReadInt64BigEndian(_bytes[RecordBatchLayout.BaseOffset..]);
    /// <summary>Bytes after the length field: the whole batch is <c>BatchLength + 12</c> bytes.</summary>
    public int BatchLength => BinaryPrimitives.ReadInt32BigEndian(_bytes[RecordBatchLayout.BatchLength..]);
    public int TotalSize => BatchLength + RecordBatchLayout.LogOverhead;
    public int PartitionLeaderEpoch => BinaryPrimitives.ReadInt32BigEndian(_bytes[RecordBatchLayout.PartitionLeaderEpoch..]);
    public byte Magic => _bytes[RecordBatchLayout.Magic];
    public uint Crc => BinaryPrimitives.ReadUInt32BigEndian(_bytes[RecordBatchLayout.Crc..]);
    public short Attributes => BinaryPrimitives.ReadInt16BigEndian(_bytes[RecordBatchLayout.Attributes..]);
    public int LastOffsetDelta => BinaryPrimitives.ReadInt32BigEndian(_bytes[RecordBatchLayout.LastOffsetDelta..]);
    public long BaseTimestamp => BinaryPrimitives.ReadInt64BigEndian(_bytes[RecordBatchLayout.BaseTimestamp..]);
    public long MaxTimestamp => BinaryPrimitives.ReadInt64BigEndian(_bytes[RecordBatchLayout.MaxTimestamp..]);
    public long ProducerId => BinaryPrimitives.ReadInt64BigEndian(_bytes[RecordBatchLayout.ProducerId..]);
    public short ProducerEpoch => BinaryPrimitives.ReadInt16BigEndian(_bytes[RecordBatchLayout.ProducerEpoch..]);
    public int BaseSequence => BinaryPrimitives.ReadInt32BigEndian(_bytes[RecordBatchLayout.BaseSequence..]);
    public int RecordsCount => BinaryPrimitives.ReadInt32BigEndian(_bytes[RecordBatchLayout.RecordsCount..]);

    public long LastOffset => BaseOffset + LastOffsetDelta;
    public CompressionType Compression => (CompressionType)(Attributes & RecordBatchLayout.CompressionMask);
    public TimestampType TimestampType => (Attributes & RecordBatchLayout.TimestampTypeFlag) != 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime;
    public bool IsTransactional => (Attributes & RecordBatchLayout.TransactionalFlag) != 0;
    public bool IsControl => (Attributes & RecordBatchLayout.ControlFlag) != 0;

    /// <summary>CRC32C (Castagnoli) of attributes through the end of the batch, as stored in the header.</summary>
    public static uint ComputeCrc(ReadOnlySpan<byte> batch) => Crc32C.Compute(batch[RecordBatchLayout.Attributes..]);
}

public enum CompressionType : byte
{
    None = 0,
    Gzip = 1,
    Snappy = 2,
    Lz4 = 3,
    Zstd = 4,
}

public enum TimestampType : sbyte
{
    NoTimestamp = -1,
    CreateTime = 0,
    LogAppendTime = 1,
}
