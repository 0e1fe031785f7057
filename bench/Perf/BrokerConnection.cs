using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;

namespace Broker.Perf;

/// <summary>Called on the connection's reader loop with each response body (after the header), or with the failure.</summary>
public interface IResponseHandler
{
    void OnResponse(ReadOnlyMemory<byte> body, long sentTimestamp);
    void OnFailure(Exception error);
}

/// <summary>
/// One TCP connection speaking Kafka framing with pipelining: requests are written as they come,
/// at most <c>maxInFlight</c> unanswered, and a single reader loop hands responses (which Kafka sends
/// in request order) to their handlers. Frames are built in pooled buffers and read into pooled arrays.
/// </summary>
public sealed class BrokerConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly SemaphoreSlim _inFlight;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentQueue<Pending> _pending = new();
    private readonly Task _reader;
    private readonly string _clientId;
    private readonly int _maxInFlight;
    private int _correlationId;
    private volatile Exception? _failure;

    private readonly record struct Pending(int CorrelationId, short HeaderVersion, IResponseHandler? Handler, long SentTimestamp);

    private BrokerConnection(Socket socket, int maxInFlight, string clientId)
    {
        _socket = socket;
        _clientId = clientId;
        _maxInFlight = maxInFlight;
        _inFlight = new SemaphoreSlim(maxInFlight);
        _reader = Task.Run(ReadLoopAsync);
    }

    public static async Task<BrokerConnection> ConnectAsync(string host, int port, int maxInFlight, string clientId = "broker-perf")
    {
        var addresses = IPAddress.TryParse(host, out var ip) ? [ip] : await Dns.GetHostAddressesAsync(host);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true, SendBufferSize = 1 << 20, ReceiveBufferSize = 1 << 20,
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await socket.ConnectAsync(addresses.First(a => a.AddressFamily == AddressFamily.InterNetwork), port, timeout.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new BrokerConnection(socket, maxInFlight, clientId);
    }

    public static (string Host, int Port) ParseHostPort(string bootstrap)
    {
        var first = bootstrap.Split(',')[0];
        var colon = first.LastIndexOf(':');
        return colon < 0 ? (first, 9092) : (first[..colon], int.Parse(first[(colon + 1)..]));
    }

    /// <summary>
    /// Writes a request once a slot is free. With a null <paramref name="handler"/> no response is
    /// expected (acks=0 Produce) and no slot is held.
    /// </summary>
    public async ValueTask SendAsync(IApiMessage request, short version, IResponseHandler? handler, CancellationToken cancel = default)
    {
        if (_failure is { } failed)
            throw new IOException("The connection failed.", failed);
        if (handler is not null)
            await _inFlight.WaitAsync(cancel).ConfigureAwait(false);
        var api = ApiMessages.All.First(a => a.Key == (ApiKey)request.ApiKey);
        using var frame = new PooledBufferWriter(4096);
        frame.Advance(4); // size, patched below
        var writer = new KafkaWriter(frame);
        await _sendLock.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            var correlationId = ++_correlationId;
            new RequestHeader
            {
                RequestApiKey = request.ApiKey, RequestApiVersion = version, CorrelationId = correlationId, ClientId = _clientId,
            }.Write(writer, api.RequestHeaderVersion(version));
            request.Write(writer, version);
            BinaryPrimitives.WriteInt32BigEndian(frame.WrittenSpanMutable, frame.WrittenCount - 4);
            if (handler is not null)
                _pending.Enqueue(new Pending(correlationId, api.ResponseHeaderVersion(version), handler, System.Diagnostics.Stopwatch.GetTimestamp()));
            var bytes = frame.WrittenMemory;
            while (!bytes.IsEmpty)
            {
                var n = await _socket.SendAsync(bytes, SocketFlags.None, cancel).ConfigureAwait(false);
                bytes = bytes[n..];
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends and waits for the decoded response.</summary>
    public async Task<TResponse> RequestAsync<TResponse>(IApiMessage request, short version, CancellationToken cancel = default)
        where TResponse : IApiMessage, new()
    {
        var waiter = new ResponseWaiter<TResponse>(version);
        await SendAsync(request, version, waiter, cancel).ConfigureAwait(false);
        return await waiter.Task.WaitAsync(TimeSpan.FromSeconds(60), cancel).ConfigureAwait(false);
    }

    private async Task ReadLoopAsync()
    {
        var sizeBuffer = new byte[4];
        try
        {
            while (true)
            {
                if (!await ReadExactlyAsync(sizeBuffer).ConfigureAwait(false))
                    throw new IOException("The broker closed the connection.");
                var size = BinaryPrimitives.ReadInt32BigEndian(sizeBuffer);
                if (size < 4)
                    throw new IOException($"Response frame of {size} bytes.");
                var buffer = ArrayPool<byte>.Shared.Rent(size);
                try
                {
                    if (!await ReadExactlyAsync(buffer.AsMemory(0, size)).ConfigureAwait(false))
                        throw new IOException("The broker closed the connection mid-response.");
                    if (!_pending.TryDequeue(out var pending))
                        throw new IOException("A response arrived with no request waiting for it.");
                    var body = buffer.AsMemory(0, size);
                    var reader = new KafkaReader(body);
                    var header = new ResponseHeader();
                    header.Read(ref reader, pending.HeaderVersion);
                    if (header.CorrelationId != pending.CorrelationId)
                        throw new IOException($"Response correlation id {header.CorrelationId}, expected {pending.CorrelationId}.");
                    _inFlight.Release();
                    pending.Handler!.OnResponse(body[reader.Position..], pending.SentTimestamp);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception e)
        {
            _failure = e;
            while (_pending.TryDequeue(out var pending))
                pending.Handler?.OnFailure(e);
            _inFlight.Release(_maxInFlight); // wakes blocked senders, which then see the failure
        }
    }

    private async ValueTask<bool> ReadExactlyAsync(Memory<byte> buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await _socket.ReceiveAsync(buffer[read..], SocketFlags.None).ConfigureAwait(false);
            if (n == 0)
                return false;
            read += n;
        }
        return true;
    }

    /// <summary>Waits until every request sent so far has been answered (or the connection failed).</summary>
    public async Task DrainAsync()
    {
        for (var i = 0; i < _maxInFlight; i++)
            await _inFlight.WaitAsync().ConfigureAwait(false);
        _inFlight.Release(_maxInFlight);
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        try
        {
            await _reader.ConfigureAwait(false);
        }
        catch
        {
            // Closing ends the reader with an error by design.
        }
    }

    private sealed class ResponseWaiter<TResponse>(short version) : IResponseHandler where TResponse : IApiMessage, new()
    {
        private readonly TaskCompletionSource<TResponse> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<TResponse> Task => _done.Task;

        public void OnResponse(ReadOnlyMemory<byte> body, long sentTimestamp)
        {
            try
            {
                // The body lives in a pooled array reused after this call: decode from a copy.
                var reader = new KafkaReader(body.ToArray());
                var response = new TResponse();
                response.Read(ref reader, version);
                _done.TrySetResult(response);
            }
            catch (Exception e)
            {
                _done.TrySetException(e);
            }
        }

        public void OnFailure(Exception error) => _done.TrySetException(error);
    }
}
