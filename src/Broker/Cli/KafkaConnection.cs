using System.Buffers.Binary;
using System.Net.Sockets;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;

namespace Broker.Cli;

/// <summary>The broker could not be reached or answered in a way the tool cannot use.</summary>
public sealed class KafkaClientException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// One client connection to a broker, speaking the wire protocol with the project's generated
/// messages: ApiVersions first, then every request at the highest version both sides know.
/// Requests go one at a time, so responses need no matching beyond a correlation id check.
/// </summary>
public sealed class KafkaConnection : IAsyncDisposable
{
    private const short ApiVersionsFlexible = 3;

    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly string _clientId;
    private readonly Dictionary<ApiKey, (short Min, short Max)> _brokerVersions = [];
    private int _nextCorrelationId;

    private KafkaConnection(TcpClient client, string clientId)
    {
        _client = client;
        _stream = client.GetStream();
        _clientId = clientId;
    }

    public string Address { get; private init; } = "";

    /// <summary>Connects to the first bootstrap server that answers ApiVersions.</summary>
    public static async Task<KafkaConnection> ConnectAsync(IReadOnlyList<(string Host, int Port)> servers, string clientId, CancellationToken cancel)
    {
        var failures = new List<string>();
        foreach (var (host, port) in servers)
        {
            var client = new TcpClient { NoDelay = true };
            try
            {
                await client.ConnectAsync(host, port, cancel).ConfigureAwait(false);
                var connection = new KafkaConnection(client, clientId) { Address = $"{host}:{port}" };
                await connection.NegotiateAsync(cancel).ConfigureAwait(false);
                return connection;
            }
            catch (Exception e) when (e is SocketException or IOException or KafkaClientException or ProtocolException)
            {
                client.Dispose();
                failures.Add($"{host}:{port}: {e.Message}");
            }
        }
        throw new KafkaClientException($"Could not connect to any bootstrap server ({string.Join("; ", failures)}).");
    }

    private async Task NegotiateAsync(CancellationToken cancel)
    {
        var request = new ApiVersionsRequest { ClientSoftwareName = "broker-cli", ClientSoftwareVersion = "1.0" };
        var body = await ExchangeAsync(ApiKey.ApiVersions, ApiVersionsFlexible, request, cancel).ConfigureAwait(false);
        // A broker that does not know v3 answers at v0 with UNSUPPORTED_VERSION; the error code leads both layouts.
        var version = ApiVersionsFlexible;
        if (body.Length >= 2 && BinaryPrimitives.ReadInt16BigEndian(body.Span) == (short)ErrorCode.UnsupportedVersion)
        {
            version = 0;
            body = await ExchangeAsync(ApiKey.ApiVersions, version, new ApiVersionsRequest(), cancel).ConfigureAwait(false);
        }
        var response = Decode<ApiVersionsResponse>(ApiKey.ApiVersions, version, body);
        if (response.ErrorCode != 0)
            throw new KafkaClientException($"ApiVersions failed: {ErrorNames.Of(response.ErrorCode)}");
        foreach (var api in response.ApiKeys)
            _brokerVersions[(ApiKey)api.ApiKey] = (api.MinVersion, api.MaxVersion);
    }

    /// <summary>Sends <paramref name="request"/> at the highest version both sides support and reads the response.</summary>
    public async Task<TResponse> SendAsync<TResponse>(IApiMessage request, CancellationToken cancel) where TResponse : class, IApiMessage
    {
        var key = (ApiKey)request.ApiKey;
        var api = Descriptor(key);
        if (!_brokerVersions.TryGetValue(key, out var broker))
            throw new KafkaClientException($"The broker at {Address} does not support {api.Name}.");
        var version = Math.Min(broker.Max, api.HighestVersion);
        if (version < Math.Max(broker.Min, api.LowestVersion))
            throw new KafkaClientException($"The broker at {Address} supports {api.Name} v{broker.Min}-{broker.Max}; this tool speaks v{api.LowestVersion}-{api.HighestVersion}.");
        return await SendAsync<TResponse>(request, (short)version, cancel).ConfigureAwait(false);
    }

    /// <summary>Sends <paramref name="request"/> at exactly <paramref name="version"/> (forwarding keeps the client's version).</summary>
    public async Task<TResponse> SendAsync<TResponse>(IApiMessage request, short version, CancellationToken cancel) where TResponse : class, IApiMessage
    {
        var key = (ApiKey)request.ApiKey;
        var body = await ExchangeAsync(key, version, request, cancel).ConfigureAwait(false);
        return Decode<TResponse>(key, version, body);
    }

    /// <summary>The version <see cref="SendAsync{TResponse}"/> uses for <paramref name="key"/>, or -1 when the broker lacks it.</summary>
    public short VersionFor(ApiKey key) =>
        _brokerVersions.TryGetValue(key, out var broker) ? Math.Min(broker.Max, Descriptor(key).HighestVersion) : (short)-1;

    private static ApiDescriptor Descriptor(ApiKey key) => ApiMessages.All.First(a => a.Key == key);

    private static TResponse Decode<TResponse>(ApiKey key, short version, ReadOnlyMemory<byte> body) where TResponse : class, IApiMessage
    {
        var response = Descriptor(key).NewResponse();
        var reader = new KafkaReader(body);
        response.Read(ref reader, version);
        return (TResponse)response;
    }

    /// <summary>Writes one request frame and returns the response body (after its header).</summary>
    private async Task<ReadOnlyMemory<byte>> ExchangeAsync(ApiKey key, short version, IApiMessage request, CancellationToken cancel)
    {
        var api = Descriptor(key);
        var correlationId = ++_nextCorrelationId;
        using var frame = new PooledBufferWriter();
        frame.GetSpan(4);
        frame.Advance(4);
        var writer = new KafkaWriter(frame);
        new RequestHeader { RequestApiKey = (short)key, RequestApiVersion = version, CorrelationId = correlationId, ClientId = _clientId }
            .Write(writer, api.RequestHeaderVersion(version));
        request.Write(writer, version);
        BinaryPrimitives.WriteInt32BigEndian(frame.WrittenSpanMutable, frame.WrittenCount - 4);
        await _stream.WriteAsync(frame.WrittenMemory, cancel).ConfigureAwait(false);

        var sizeBytes = new byte[4];
        await ReadExactlyAsync(sizeBytes, cancel).ConfigureAwait(false);
        var size = BinaryPrimitives.ReadInt32BigEndian(sizeBytes);
        if (size is < 4 or > 100 * 1024 * 1024)
            throw new KafkaClientException($"The broker at {Address} sent a response of {size} bytes.");
        var payload = new byte[size];
        await ReadExactlyAsync(payload, cancel).ConfigureAwait(false);

        var reader = new KafkaReader(payload);
        var header = new ResponseHeader();
        header.Read(ref reader, api.ResponseHeaderVersion(version));
        if (header.CorrelationId != correlationId)
            throw new KafkaClientException($"The broker at {Address} answered correlation id {header.CorrelationId}, expected {correlationId}.");
        return reader.RemainingMemory;
    }

    private async Task ReadExactlyAsync(byte[] buffer, CancellationToken cancel)
    {
        try
        {
            await _stream.ReadExactlyAsync(buffer, cancel).ConfigureAwait(false);
        }
        catch (EndOfStreamException e)
        {
            throw new KafkaClientException($"The broker at {Address} closed the connection.", e);
        }
    }

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
