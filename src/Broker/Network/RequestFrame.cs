using System.Buffers.Binary;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;

namespace Broker.Network;

/// <summary>
/// One request as read off the socket: its bytes live in a buffer admitted by the request memory budget for
/// as long as the request is handled, so that <c>records</c> fields can be slices of it rather than copies.
/// </summary>
public sealed class RequestFrame : IDisposable
{
    private readonly RequestMemoryBudget _memory;
    private byte[]? _buffer;

    public RequestFrame(byte[] buffer, int length, RequestMemoryBudget memory)
    {
        _buffer = buffer;
        Length = length;
        _memory = memory;
    }

    public int Length { get; }
    public ReadOnlyMemory<byte> Memory => (_buffer ?? throw new ObjectDisposedException(nameof(RequestFrame))).AsMemory(0, Length);

    /// <summary>API key and version are the first four bytes of every request header version.</summary>
    public short ApiKey => BinaryPrimitives.ReadInt16BigEndian(Memory.Span);
    public short ApiVersion => BinaryPrimitives.ReadInt16BigEndian(Memory.Span[2..]);
    public int CorrelationId => BinaryPrimitives.ReadInt32BigEndian(Memory.Span[4..]);

    /// <summary>Decodes header and body; throws <see cref="ProtocolException"/> on malformed bytes.</summary>
    public (RequestHeader Header, IApiMessage Body) Decode(ApiDescriptor api)
    {
        var reader = new KafkaReader(Memory);
        var header = new RequestHeader();
        header.Read(ref reader, api.RequestHeaderVersion(ApiVersion));
        var body = api.NewRequest();
        body.Read(ref reader, ApiVersion);
        return (header, body);
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is null)
            return;
        RequestMemoryBudget.Return(buffer);
        _memory.Release(Length);
    }
}
