using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;

namespace Broker.Network;

/// <summary>A frame that cannot be read: the connection must be closed, for <see cref="Exception.Message"/>.</summary>
public sealed class FramingException(string message) : Exception(message);

/// <summary>
/// Reads Kafka frames (an int32 size, then that many bytes) off a socket without holding memory the
/// client has not sent. An idle connection owns no buffer: it waits with a zero-byte receive. A
/// frame's buffer grows with the bytes that arrive, so declaring 100 MB and sending 1 KB costs
/// kilobytes, not 100 MB. Small pipelined frames are read ahead in one receive.
/// </summary>
public sealed class FrameReader(Socket socket, RequestMemoryBudget memory) : IDisposable
{
    private const int ReadAheadSize = 16 * 1024;

    private byte[]? _ahead;
    private int _start;
    private int _end;

    /// <summary><see cref="Environment.TickCount64"/> when bytes last arrived.</summary>
    public long LastReceived { get; private set; } = Environment.TickCount64;

    private int Buffered => _end - _start;

    /// <summary>The next frame, or null when the client closed the connection between frames.</summary>
    /// <exception cref="FramingException">The size is out of bounds, or the client left mid-frame.</exception>
    public async ValueTask<RequestFrame?> ReadAsync(int maxSize, CancellationToken cancel)
    {
        if (!await FillAsync(4, cancel).ConfigureAwait(false))
            return Buffered == 0 ? null : throw new FramingException("connection closed in the middle of a request");
        var size = BinaryPrimitives.ReadInt32BigEndian(_ahead!.AsSpan(_start, 4));
        _start += 4;
        if (size < 8 || size > maxSize)
        {
            throw new FramingException(size > maxSize
                ? $"request of {size} bytes exceeds socket.request.max.bytes ({maxSize})"
                : $"invalid request size {size}");
        }

        await memory.AdmitAsync(size, cancel).ConfigureAwait(false);
        var buffer = RequestMemoryBudget.Rent(Math.Min(size, Buffered + ReadAheadSize));
        try
        {
            var filled = Math.Min(Buffered, size);
            _ahead!.AsSpan(_start, filled).CopyTo(buffer);
            _start += filled;
            while (filled < size)
            {
                if (filled == buffer.Length)
                    buffer = Grow(buffer, size);
                var n = await socket.ReceiveAsync(buffer.AsMemory(filled, Math.Min(buffer.Length, size) - filled), SocketFlags.None, cancel).ConfigureAwait(false);
                if (n == 0)
                    throw new FramingException("connection closed in the middle of a request");
                filled += n;
                LastReceived = Environment.TickCount64;
            }
            return new RequestFrame(buffer, size, memory);
        }
        catch
        {
            RequestMemoryBudget.Return(buffer);
            memory.Release(size);
            throw;
        }
    }

    /// <summary>
    /// Doubles the buffer, or more when the kernel already holds more of the frame; never past the
    /// frame. Once an eighth of the frame has arrived the buffer becomes the whole frame, which keeps
    /// the arrays outgrown on the way (garbage until the next collection) to a fraction of the frame.
    /// </summary>
    private byte[] Grow(byte[] buffer, int size)
    {
        var wanted = buffer.Length >= size / 8 ? size : Math.Max(2L * buffer.Length, (long)buffer.Length + socket.Available);
        var grown = RequestMemoryBudget.Rent((int)Math.Min(size, wanted));
        buffer.AsSpan().CopyTo(grown);
        RequestMemoryBudget.Return(buffer);
        return grown;
    }

    /// <summary>Ensures <paramref name="count"/> (at most 4) bytes are read ahead; false when the client closed first.</summary>
    private async ValueTask<bool> FillAsync(int count, CancellationToken cancel)
    {
        while (Buffered < count)
        {
            if (Buffered == 0)
            {
                // Nothing pending: give the read-ahead buffer back and wait for bytes without one.
                ReleaseAhead();
                await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancel).ConfigureAwait(false);
                _ahead = ArrayPool<byte>.Shared.Rent(ReadAheadSize);
            }
            else if (_start > 0)
            {
                _ahead!.AsSpan(_start, Buffered).CopyTo(_ahead);
                (_start, _end) = (0, Buffered);
            }
            var n = await socket.ReceiveAsync(_ahead!.AsMemory(_end), SocketFlags.None, cancel).ConfigureAwait(false);
            if (n == 0)
                return false;
            _end += n;
            LastReceived = Environment.TickCount64;
        }
        return true;
    }

    private void ReleaseAhead()
    {
        if (_ahead is not null)
            ArrayPool<byte>.Shared.Return(_ahead);
        (_ahead, _start, _end) = (null, 0, 0);
    }

    public void Dispose() => ReleaseAhead();
}
