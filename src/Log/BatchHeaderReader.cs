using Broker.Protocol.Records;
using Microsoft.Win32.SafeHandles;

namespace Broker.Log;

/// <summary>
/// Reads batch headers out of a segment file through a small caller-provided buffer, so walking
/// many small batches costs one read per buffer-full rather than one per batch.
/// Only for bytes already validated (appended or recovered): a header that does not frame a batch
/// inside <c>end</c> is taken as the end of the data.
/// </summary>
internal ref struct BatchHeaderReader
{
    /// <summary>Big enough for a dozen small batches, small enough for the stack.</summary>
    public const int BufferSize = 4096;

    private readonly SafeFileHandle _file;
    private readonly int _end;
    private readonly Span<byte> _buffer;
    private long _bufferStart;
    private int _bufferLength;

    /// <param name="end">Bytes of the file that may be read: the segment size the caller observed.</param>
    public BatchHeaderReader(SafeFileHandle file, int end, Span<byte> buffer)
    {
        _file = file;
        _end = end;
        _buffer = buffer;
        _bufferStart = -1;
        _bufferLength = 0;
    }

    public bool TryRead(int position, out BatchInfo batch)
    {
        batch = default;
        if ((long)position + RecordBatchLayout.HeaderSize > _end)
            return false;
        if (_bufferStart < 0 || position < _bufferStart || position + RecordBatchLayout.HeaderSize > _bufferStart + _bufferLength)
        {
            var want = (int)Math.Min(_buffer.Length, _end - (long)position);
            _bufferLength = FileIo.ReadAtLeast(_file, _buffer[..want], position, RecordBatchLayout.HeaderSize);
            _bufferStart = position;
            if (_bufferLength < RecordBatchLayout.HeaderSize)
                return false;
        }
        batch = BatchInfo.Read(_buffer.Slice((int)(position - _bufferStart), RecordBatchLayout.HeaderSize), position);
        return batch.Size >= RecordBatchLayout.HeaderSize && (long)position + batch.Size <= _end;
    }
}
