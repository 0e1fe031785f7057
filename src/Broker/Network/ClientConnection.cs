using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Broker.Handlers;
using Broker.Protocol;
using Broker.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Broker.Network;

/// <summary>
/// One client socket. Requests are handled one at a time in arrival order, as Kafka does (it mutes a
/// channel until its response is sent): clients may pipeline, and a producer's batches are appended
/// in the order it sent them. Anything that breaks the framing closes this connection only.
/// </summary>
public sealed class ClientConnection(
    Socket socket, long id, string listenerName, RequestDispatcher dispatcher, int maxRequestSize, ILogger logger)
{
    private const int ReadBufferSize = 64 * 1024;
    private readonly EndPoint? _remote = socket.RemoteEndPoint;

    public long Id { get; } = id;

    /// <summary>Reads and answers requests until the client leaves, the framing breaks, or <paramref name="stopping"/> fires.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        // Small frames are read ahead in bulk; a large frame is read straight into its own buffer,
        // so produce payloads are copied once from the kernel into the array the log writes from.
        // Reads go through the buffer; writes go straight to the socket (a BufferedStream cannot mix both
        // on a non-seekable stream while read-ahead bytes are pending).
        using var network = new NetworkStream(socket, ownsSocket: true);
        using var stream = new BufferedStream(network, ReadBufferSize);
        var sizeBytes = new byte[4];
        using var response = new PooledBufferWriter(4096);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                if (!await ReadFullyAsync(stream, sizeBytes, 4, stopping).ConfigureAwait(false))
                    return; // the client closed between requests
                var size = BinaryPrimitives.ReadInt32BigEndian(sizeBytes);
                if (size < 8 || size > maxRequestSize)
                {
                    Close(size > maxRequestSize
                        ? $"request of {size} bytes exceeds socket.request.max.bytes ({maxRequestSize})"
                        : $"invalid request size {size}");
                    return;
                }
                var buffer = ArrayPool<byte>.Shared.Rent(size);
                using var frame = new RequestFrame(buffer, size);
                if (!await ReadFullyAsync(stream, buffer, size, stopping).ConfigureAwait(false))
                {
                    Close("connection closed in the middle of a request");
                    return;
                }
                response.Reset();
                var outcome = await dispatcher.DispatchAsync(frame, listenerName, _remote, Id, response, stopping).ConfigureAwait(false);
                if (outcome.CloseReason is not null)
                {
                    Close(outcome.CloseReason);
                    return;
                }
                if (response.WrittenCount > 0)
                {
                    await network.WriteAsync(response.WrittenMemory, stopping).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
            // The peer reset the connection: nothing to answer and nothing worth a warning.
        }
        catch (SocketException)
        {
        }
    }

    private void Close(string reason) =>
        logger.LogWarning("Closing connection {Id} from {Remote} on {Listener}: {Reason}", Id, _remote, listenerName, reason);

    private static async ValueTask<bool> ReadFullyAsync(Stream stream, byte[] buffer, int count, CancellationToken cancel)
    {
        var read = 0;
        while (read < count)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read, count - read), cancel).ConfigureAwait(false);
            if (n == 0)
                return false;
            read += n;
        }
        return true;
    }
}
