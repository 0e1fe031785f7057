using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>
/// A bare TCP connection speaking Kafka framing with the project's generated messages, for the
/// requests no well-behaved client would send. Every read has a deadline.
/// </summary>
public sealed class KafkaConnection : IDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private int _correlationId;

    private KafkaConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <param name="from">The local address to connect from (any 127.x.y.z works on loopback), so a test can be several clients.</param>
    public static Task<KafkaConnection> ConnectAsync(int port, IPAddress? from = null) => ConnectAsync(IPAddress.Loopback, port, from);

    public static async Task<KafkaConnection> ConnectAsync(IPAddress address, int port, IPAddress? from = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(Deadline);
        try
        {
            if (from is not null)
                socket.Bind(new IPEndPoint(from, 0));
            await socket.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new KafkaConnection(socket);
    }

    public static ApiDescriptor Api(ApiKey key) => ApiMessages.All.First(a => a.Key == key);

    /// <summary>A request frame without its size prefix: header at the version's header version, then the body.</summary>
    public static byte[] Encode(IApiMessage body, short version, int correlationId, string clientId = "e2e-raw")
    {
        var api = Api((ApiKey)body.ApiKey);
        using var output = new PooledBufferWriter(256);
        var writer = new KafkaWriter(output);
        new RequestHeader
        {
            RequestApiKey = body.ApiKey, RequestApiVersion = version, CorrelationId = correlationId, ClientId = clientId,
        }.Write(writer, api.RequestHeaderVersion(version));
        body.Write(writer, version);
        return output.WrittenSpan.ToArray();
    }

    public int NextCorrelationId() => Interlocked.Increment(ref _correlationId);

    /// <summary>Sends a request and reads its response at the same version.</summary>
    public async Task<TResponse> RequestAsync<TResponse>(IApiMessage request, short version) where TResponse : IApiMessage, new()
    {
        var correlationId = NextCorrelationId();
        await SendFrameAsync(Encode(request, version, correlationId));
        var frame = await ReadFrameAsync() ?? throw new IOException(
            $"The broker closed the connection instead of answering {(ApiKey)request.ApiKey} v{version}.");
        return Decode<TResponse>(frame, version, correlationId);
    }

    public static TResponse Decode<TResponse>(byte[] frame, short version, int expectedCorrelationId) where TResponse : IApiMessage, new()
    {
        var response = new TResponse();
        var reader = new KafkaReader(frame);
        var header = new ResponseHeader();
        header.Read(ref reader, Api((ApiKey)response.ApiKey).ResponseHeaderVersion(version));
        Assert.Equal(expectedCorrelationId, header.CorrelationId);
        response.Read(ref reader, version);
        return response;
    }

    /// <summary>Writes the size prefix and then <paramref name="payload"/>.</summary>
    public Task SendFrameAsync(ReadOnlySpan<byte> payload) => SendRawAsync(Frame(payload));

    /// <summary><paramref name="payload"/> behind its int32 size prefix.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> payload)
    {
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame.AsSpan(4));
        return frame;
    }

    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        await _stream.WriteAsync(bytes, timeout.Token);
    }

    /// <summary>The next response frame without its size prefix, or null when the broker closed the connection.</summary>
    /// <param name="deadline">How long to wait for it; <see cref="Deadline"/> by default.</param>
    public async Task<byte[]?> ReadFrameAsync(TimeSpan? deadline = null)
    {
        var size = new byte[4];
        if (!await ReadFullyAsync(size, deadline ?? Deadline))
            return null;
        var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
        return await ReadFullyAsync(frame, deadline ?? Deadline) ? frame : null;
    }

    /// <summary>True when the broker closes (or resets) the connection before sending anything more.</summary>
    public async Task<bool> ClosedByBrokerAsync(TimeSpan? deadline = null) => await ReadFrameAsync(deadline) is null;

    private async Task<bool> ReadFullyAsync(byte[] buffer, TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        var read = 0;
        try
        {
            while (read < buffer.Length)
            {
                var n = await _stream.ReadAsync(buffer.AsMemory(read), timeout.Token);
                if (n == 0)
                    return false;
                read += n;
            }
        }
        catch (IOException)
        {
            return false;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No answer from the broker within {deadline}.");
        }
        return true;
    }

    public void Dispose() => _stream.Dispose();
}
