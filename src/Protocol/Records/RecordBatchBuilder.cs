using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Broker.Protocol.Compression;
using Broker.Protocol.Wire;

namespace Broker.Protocol.Records;

/// <summary>
/// Builds one record batch v2. Records are encoded as they are appended into a pooled buffer that
/// leaves room for the header, so an uncompressed batch is finished in place; a compressed one is
/// compressed once at the end. Offsets are consecutive from <see cref="BaseOffset"/>.
/// Single use: after <see cref="Build"/> or <see cref="WriteTo"/> nothing more can be appended.
/// </summary>
public sealed class RecordBatchBuilder : IDisposable
{
    private readonly PooledBufferWriter _buffer;
    private bool _bufferHandedOff;
    private bool _sealed;
    private long _baseTimestamp;
    private long _maxTimestamp = RecordBatchLayout.NoTimestamp;

    /// <param name="compressionLevel">Codec-specific level; null for the codec's default.</param>
    public RecordBatchBuilder(CompressionType compression = CompressionType.None, int? compressionLevel = null, int initialCapacity = 1024)
    {
        if (compression is < CompressionType.None or > CompressionType.Zstd)
            throw new ArgumentOutOfRangeException(nameof(compression), compression, "Unknown compression codec.");
        Compression = compression;
        CompressionLevel = compressionLevel;
        _buffer = new PooledBufferWriter(Math.Max(initialCapacity, RecordBatchLayout.HeaderSize));
        _buffer.GetSpan(RecordBatchLayout.HeaderSize)[..RecordBatchLayout.HeaderSize].Clear();
        _buffer.Advance(RecordBatchLayout.HeaderSize);
    }

    public CompressionType Compression { get; }
    public int? CompressionLevel { get; }

    public long BaseOffset { get; set; }
    public int PartitionLeaderEpoch { get; set; } = RecordBatchLayout.NoPartitionLeaderEpoch;
    public long ProducerId { get; set; } = RecordBatchLayout.NoProducerId;
    public short ProducerEpoch { get; set; } = RecordBatchLayout.NoProducerEpoch;
    public int BaseSequence { get; set; } = RecordBatchLayout.NoSequence;
    public bool IsTransactional { get; set; }

    /// <summary>Marks the batch as holding control records (transaction markers, KRaft control records).</summary>
    public bool IsControl { get; set; }

    public TimestampType TimestampType { get; set; } = TimestampType.CreateTime;

    /// <summary>With <see cref="TimestampType.LogAppendTime"/>: the time stored as the batch's max timestamp.</summary>
    public long LogAppendTime { get; set; } = RecordBatchLayout.NoTimestamp;

    public int Count { get; private set; }

    /// <summary>Header plus records before compression, for callers that cap batch sizes.</summary>
    public int UncompressedSize => _buffer.WrittenCount;

    /// <summary>Appends a record at the next offset.</summary>
    /// <param name="timestamp">Milliseconds since the epoch, or -1 for none.</param>
    /// <param name="key">A span, an array, or null (<see cref="NullableBytes"/> keeps null apart from empty).</param>
    public void Append(long timestamp, NullableBytes key, NullableBytes value, ReadOnlySpan<RecordHeaderEntry> headers = default)
    {
        if (_sealed)
            throw new InvalidOperationException("The batch has already been built.");
        if (timestamp < RecordBatchLayout.NoTimestamp)
            throw new ArgumentOutOfRangeException(nameof(timestamp), timestamp, "Timestamps are milliseconds since the epoch, or -1.");
        if (Count == 0)
            _baseTimestamp = timestamp;
        long timestampDelta = timestamp - _baseTimestamp;
        int offsetDelta = Count;

        int headersSize = 0;
        foreach (var header in headers)
        {
            ArgumentNullException.ThrowIfNull(header.Key, "header key");
            headersSize = checked(headersSize + SizeOfBytes(Encoding.UTF8.GetByteCount(header.Key)) + SizeOfBytes(header.Value?.Length ?? -1));
        }
        int bodySize = checked(1 + Varint.SizeOfVarlong(timestampDelta) + Varint.SizeOfVarint(offsetDelta)
            + SizeOfBytes(key.EncodedLength) + SizeOfBytes(value.EncodedLength) + Varint.SizeOfVarint(headers.Length) + headersSize);
        int recordSize = checked(Varint.SizeOfVarint(bodySize) + bodySize);

        var span = _buffer.GetSpan(recordSize);
        int p = Varint.WriteVarint(span, bodySize);
        span[p++] = 0; // record attributes: none defined
        p += Varint.WriteVarlong(span[p..], timestampDelta);
        p += Varint.WriteVarint(span[p..], offsetDelta);
        p += WriteBytes(span[p..], key);
        p += WriteBytes(span[p..], value);
        p += Varint.WriteVarint(span[p..], headers.Length);
        foreach (var header in headers)
        {
            int keyBytes = Encoding.UTF8.GetByteCount(header.Key);
            p += Varint.WriteVarint(span[p..], keyBytes);
            p += Encoding.UTF8.GetBytes(header.Key, span[p..]);
            p += WriteBytes(span[p..], header.Value);
        }
        _buffer.Advance(p);

        Count++;
        if (timestamp > _maxTimestamp)
            _maxTimestamp = timestamp;
    }

    /// <summary>Finishes the batch and hands over the buffer holding it; the caller disposes it.</summary>
    public PooledBufferWriter Build() => Seal();

    /// <summary>Finishes the batch and copies it to <paramref name="destination"/>.</summary>
    public void WriteTo(IBufferWriter<byte> destination)
    {
        using var batch = Seal();
        destination.Write(batch.WrittenSpan);
    }

    public void Dispose()
    {
        if (!_bufferHandedOff)
            _buffer.Dispose();
    }

    private static int SizeOfBytes(int length) => Varint.SizeOfVarint(length) + Math.Max(length, 0);

    private static int WriteBytes(Span<byte> dst, NullableBytes bytes)
    {
        int p = Varint.WriteVarint(dst, bytes.EncodedLength);
        bytes.Bytes.CopyTo(dst[p..]);
        return p + bytes.Bytes.Length;
    }

    private PooledBufferWriter Seal()
    {
        if (_sealed)
            throw new InvalidOperationException("The batch has already been built.");
        if (Count == 0)
            throw new InvalidOperationException("A record batch needs at least one record.");
        if (TimestampType == TimestampType.LogAppendTime && LogAppendTime < 0)
            throw new InvalidOperationException("LogAppendTime must be set for a LogAppendTime batch.");
        if (TimestampType == TimestampType.NoTimestamp)
            throw new InvalidOperationException("A v2 batch always has a timestamp type.");
        _sealed = true;

        PooledBufferWriter batch;
        if (Compression == CompressionType.None)
        {
            batch = _buffer;
            _bufferHandedOff = true;
        }
        else
        {
            var records = _buffer.WrittenSpan[RecordBatchLayout.HeaderSize..];
            batch = new PooledBufferWriter(RecordBatchLayout.HeaderSize + records.Length / 2);
            batch.GetSpan(RecordBatchLayout.HeaderSize)[..RecordBatchLayout.HeaderSize].Clear();
            batch.Advance(RecordBatchLayout.HeaderSize);
            try
            {
                RecordCompression.Compress(Compression, records, batch, CompressionLevel);
            }
            catch
            {
                batch.Dispose();
                throw;
            }
        }
        WriteHeader(batch.WrittenSpanMutable);
        return batch;
    }

    private void WriteHeader(Span<byte> batch)
    {
        short attributes = (short)Compression;
        if (TimestampType == TimestampType.LogAppendTime)
            attributes |= RecordBatchLayout.TimestampTypeFlag;
        if (IsTransactional)
            attributes |= RecordBatchLayout.TransactionalFlag;
        if (IsControl)
            attributes |= RecordBatchLayout.ControlFlag;
        long maxTimestamp = TimestampType == TimestampType.LogAppendTime ? LogAppendTime : _maxTimestamp;

        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.BaseOffset..], BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.BatchLength..], batch.Length - RecordBatchLayout.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.PartitionLeaderEpoch..], PartitionLeaderEpoch);
        batch[RecordBatchLayout.Magic] = RecordBatchLayout.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchLayout.Attributes..], attributes);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.LastOffsetDelta..], Count - 1);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.BaseTimestamp..], _baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.MaxTimestamp..], maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.ProducerId..], ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchLayout.ProducerEpoch..], ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.BaseSequence..], BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.RecordsCount..], Count);
        RecordBatchPatch.UpdateCrc(batch);
    }
}
