using System.Buffers.Binary;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;

namespace Broker.Protocol.Tests.Golden;

/// <summary>A request frame taken apart with the generated types.</summary>
internal sealed record DecodedFrame(ApiDescriptor Api, short Version, RequestHeader Header, short HeaderVersion, IApiMessage Body)
{
    public T BodyAs<T>() where T : class, IApiMessage =>
        Body as T ?? throw new InvalidOperationException($"Frame holds {Body.GetType().Name}, not {typeof(T).Name}.");

    /// <summary>The frame the generated encoders make from what was decoded, size prefix included.</summary>
    public byte[] Reencode() => GoldenFrame.Encode(Header, HeaderVersion, Body, Version);
}

/// <summary>
/// Reads and writes whole request frames (int32 size, header, body) the way a broker sees them, so
/// that captured bytes are checked by exactly the code paths a broker would use.
/// </summary>
internal static class GoldenFrame
{
    /// <summary>Size prefix, api key, api version, correlation id: enough to route any frame.</summary>
    public const int MinimumFrame = 4 + 2 + 2 + 4;

    public static ApiDescriptor? FindApi(short apiKey) => ApiMessages.All.FirstOrDefault(a => (short)a.Key == apiKey);

    public static short ApiKeyOf(ReadOnlySpan<byte> frame) => BinaryPrimitives.ReadInt16BigEndian(frame[4..]);
    public static short VersionOf(ReadOnlySpan<byte> frame) => BinaryPrimitives.ReadInt16BigEndian(frame[6..]);
    public static int CorrelationIdOf(ReadOnlySpan<byte> frame) => BinaryPrimitives.ReadInt32BigEndian(frame[8..]);

    /// <exception cref="ProtocolException">The frame is inconsistent, of an unknown API or version, or has bytes left over.</exception>
    public static DecodedFrame Decode(ReadOnlyMemory<byte> frame)
    {
        var span = frame.Span;
        if (span.Length < MinimumFrame)
            throw new MalformedMessageException($"A request frame needs at least {MinimumFrame} bytes, got {span.Length}.");
        int size = BinaryPrimitives.ReadInt32BigEndian(span);
        if (size != span.Length - 4)
            throw new MalformedMessageException($"Frame size prefix says {size} bytes but {span.Length - 4} follow it.");
        short apiKey = ApiKeyOf(span);
        short version = VersionOf(span);
        var api = FindApi(apiKey) ?? throw new UnsupportedVersionException($"Unknown api key {apiKey}.");
        if (!api.Supports(version))
            throw new UnsupportedVersionException($"{api.Name} v{version} is outside {api.LowestVersion}-{api.HighestVersion}.");

        short headerVersion = api.RequestHeaderVersion(version);
        var reader = new KafkaReader(frame[4..]);
        var header = new RequestHeader();
        header.Read(ref reader, headerVersion);
        var body = api.NewRequest();
        body.Read(ref reader, version);
        reader.EnsureEnd($"{api.Name} v{version} request");
        return new DecodedFrame(api, version, header, headerVersion, body);
    }

    /// <summary>A size-prefixed frame; the header is a request or a response header.</summary>
    public static byte[] Encode(IKafkaMessage header, short headerVersion, IKafkaMessage body, short version)
    {
        using var buffer = new PooledBufferWriter();
        buffer.GetSpan(4);
        buffer.Advance(4);
        var writer = new KafkaWriter(buffer);
        header.Write(writer, headerVersion);
        body.Write(writer, version);
        BinaryPrimitives.WriteInt32BigEndian(buffer.WrittenSpanMutable, buffer.WrittenCount - 4);
        return buffer.ToArray();
    }
}
