using System.Net;
using System.Net.Sockets;
using Broker.Handlers;
using Broker.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Broker.Network;

/// <summary>
/// One client socket. Requests are handled one at a time in arrival order, as Kafka does (it mutes a
/// channel until its response is sent): clients may pipeline, and a producer's batches are appended
/// in the order it sent them. Anything that breaks the framing closes this connection only.
/// Between requests the connection holds no buffer, and it can be closed as idle.
/// </summary>
public sealed class ClientConnection(
    Socket socket, long id, string listenerName, RequestDispatcher dispatcher, NetworkLimits limits,
    RequestMemoryBudget memory, ILogger logger, CancellationToken stopping) : IDisposable
{
    private const int Reading = 0, Handling = 1, Closed = 2;

    private readonly EndPoint? _remote = socket.RemoteEndPoint;
    private readonly CancellationTokenSource _closing = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    private readonly CancellationTokenSource _closed = new();
    private readonly FrameReader _frames = new(socket, memory);
    private long _lastSent = Environment.TickCount64;
    private int _state;

    public long Id { get; } = id;

    /// <summary>When the client last sent a byte or was last answered.</summary>
    private long LastActivity => Math.Max(_frames.LastReceived, Volatile.Read(ref _lastSent));

    /// <summary>Reads and answers requests until the client leaves, the framing breaks, or the connection is closed.</summary>
    public async Task RunAsync()
    {
        // Writes go straight to the socket; the stream only makes sure a response is sent whole.
        using var network = new NetworkStream(socket, ownsSocket: false);
        var cancel = _closing.Token;
        try
        {
            while (true)
            {
                RequestFrame? frame;
                try
                {
                    frame = await _frames.ReadAsync(limits.MaxRequestSize, cancel).ConfigureAwait(false);
                }
                catch (FramingException e)
                {
                    Close(e.Message);
                    return;
                }
                if (frame is null)
                    return; // the client closed between requests
                using (frame)
                {
                    if (Interlocked.CompareExchange(ref _state, Handling, Reading) != Reading)
                        return; // closed as idle while the last bytes arrived
                    using var response = new PooledBufferWriter(4096);
                    var outcome = await dispatcher.DispatchAsync(frame, listenerName, _remote, Id, response, cancel, _closed.Token).ConfigureAwait(false);
                    if (outcome.CloseReason is not null)
                    {
                        Close(outcome.CloseReason);
                        return;
                    }
                    if (response.WrittenCount > 0)
                        await network.WriteAsync(response.WrittenMemory, cancel).ConfigureAwait(false);
                    Volatile.Write(ref _lastSent, Environment.TickCount64);
                    Interlocked.CompareExchange(ref _state, Reading, Handling);
                }
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Stopping, or closed as idle.
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The peer reset the connection: nothing to answer and nothing worth a warning.
        }
        finally
        {
            Volatile.Write(ref _state, Closed);
            // Whoever watches this connection (the controller watching a broker's heartbeats) learns now.
            _closed.Cancel();
        }
    }

    /// <summary>
    /// Closes the connection when it has been quiet since <paramref name="cutoff"/> (a
    /// <see cref="Environment.TickCount64"/>) and no request of it is being handled: a long poll or a
    /// slow produce is not idleness. True when it was closed.
    /// </summary>
    public bool CloseIfIdleSince(long cutoff)
    {
        if (LastActivity > cutoff || Interlocked.CompareExchange(ref _state, Closed, Reading) != Reading)
            return false;
        try
        {
            _closing.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The client left at the same moment and the connection is already gone.
        }
        return true;
    }

    private void Close(string reason) =>
        logger.LogWarning("Closing connection {Id} from {Remote} on {Listener}: {Reason}", Id, _remote, listenerName, reason);

    public void Dispose()
    {
        _frames.Dispose();
        _closing.Dispose();
        _closed.Dispose();
        socket.Dispose();
    }
}
