using Broker.Protocol.Compression;
using Broker.Protocol.Wire;

namespace Broker.Protocol.Records;

/// <summary>
/// Reads the records of one v2 batch, decompressing them first (into a pooled buffer) when the
/// batch is compressed. Works with <c>foreach</c>, which also disposes it; otherwise dispose it to
/// return the buffer. Checks structure but not the CRC: run <see cref="RecordBatchValidator"/>
/// first on bytes from outside.
/// </summary>
public ref struct RecordIterator
{
    /// <summary>attributes, timestamp delta, offset delta, key length, value length, header count.</summary>
    private const int MinRecordBodySize = 6;

    private readonly ReadOnlySpan<byte> _records;
    private readonly PooledBufferWriter? _decompressed;
    private readonly long _baseOffset;
    private readonly long _baseTimestamp;
    private readonly long _logAppendTime;
    private readonly bool _isLogAppendTime;
    private int _position;
    private int _left;

    /// <param name="batch">One batch, starting at its base offset; bytes after it are ignored.</param>
    /// <exception cref="CorruptRecordException">The batch is malformed or decompresses to more than <paramref name="maxDecompressedSize"/> bytes.</exception>
    public RecordIterator(ReadOnlySpan<byte> batch, int maxDecompressedSize = RecordCompression.DefaultMaxDecompressedSize)
    {
        int size = RecordBatchValidator.CheckStructure(batch);
        var header = new RecordBatchHeader(batch);
        _baseOffset = header.BaseOffset;
        _baseTimestamp = header.BaseTimestamp;
        _isLogAppendTime = header.TimestampType == TimestampType.LogAppendTime;
        _logAppendTime = header.MaxTimestamp;
        _left = header.RecordsCount;

        var payload = batch[RecordBatchLayout.HeaderSize..size];
        if (header.Compression == CompressionType.None)
        {
            _records = payload;
            return;
        }
        _decompressed = new PooledBufferWriter((int)Math.Min(payload.Length * 4L, maxDecompressedSize));
        try
        {
            RecordCompression.Decompress(header.Compression, payload, _decompressed, maxDecompressedSize);
        }
        catch
        {
            _decompressed.Dispose();
            throw;
        }
        _records = _decompressed.WrittenSpan;
    }

    public Record Current { get; private set; }

    public readonly RecordIterator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_left == 0)
        {
            if (_position != _records.Length)
                throw new CorruptRecordException($"Record batch has {_records.Length - _position} bytes left after its declared records.");
            return false;
        }
        if (_position == _records.Length)
            throw new CorruptRecordException($"Record batch ends with {_left} of its declared records missing.");
        _left--;
        Current = ReadRecord();
        return true;
    }

    /// <summary>Returns the decompression buffer; idempotent, and every copy shares the one buffer.</summary>
    public readonly void Dispose() => _decompressed?.Dispose();

    private Record ReadRecord()
    {
        int start = _position;
        int length = Varint.ReadVarint(_records, ref _position);
        if (length < MinRecordBodySize || length > _records.Length - _position)
            throw new CorruptRecordException(
                $"Record length {length} is impossible with {_records.Length - _position} bytes left in the batch.");
        var body = _records.Slice(_position, length);
        _position += length;

        int p = 0;
        sbyte attributes = (sbyte)body[p++];
        long timestampDelta = Varint.ReadVarlong(body, ref p);
        int offsetDelta = Varint.ReadVarint(body, ref p);
        var key = RecordFields.ReadNullableBytes(body, ref p, "key", out bool hasKey);
        var value = RecordFields.ReadNullableBytes(body, ref p, "value", out bool hasValue);
        int headerCount = Varint.ReadVarint(body, ref p);
        // Each header takes at least two bytes; a larger count cannot be honest.
        if (headerCount < 0 || headerCount > (body.Length - p) / 2)
            throw new CorruptRecordException($"Record header count {headerCount} is impossible with {body.Length - p} bytes left in the record.");
        var headerBytes = body[p..];
        int used = RecordHeaders.Measure(headerBytes, headerCount);
        if (used != headerBytes.Length)
            throw new CorruptRecordException($"Record declares {length} bytes but its fields end {headerBytes.Length - used} bytes early.");

        return new Record(
            _position - start, attributes, timestampDelta, offsetDelta,
            _baseOffset + offsetDelta,
            _isLogAppendTime ? _logAppendTime : _baseTimestamp + timestampDelta,
            key, hasKey, value, hasValue,
            new RecordHeaders(headerBytes, headerCount));
    }
}
