using System.Buffers;

namespace Broker.Protocol.Compression;

/// <summary>
/// A write-only stream into an <see cref="IBufferWriter{T}"/>, for codecs the runtime only offers
/// as streams (gzip), so their output lands in the caller's buffer without an intermediate copy.
/// </summary>
internal sealed class BufferWriterStream(IBufferWriter<byte> destination) : Stream
{
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var span = destination.GetSpan(buffer.Length);
            int n = Math.Min(span.Length, buffer.Length);
            buffer[..n].CopyTo(span);
            destination.Advance(n);
            buffer = buffer[n..];
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
    public override void WriteByte(byte value) => Write([value]);
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
