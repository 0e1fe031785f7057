using System.Buffers.Binary;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;

namespace Broker.Network;

/// <summary>Frames a response: int32 size, the response header at the API's header version, the body.</summary>
public static class ResponseEncoder
{
    public static void Encode(PooledBufferWriter output, ApiDescriptor api, short version, int correlationId, IApiMessage body)
    {
        var start = output.WrittenCount;
        output.GetSpan(4);
        output.Advance(4);
        var writer = new KafkaWriter(output);
        new ResponseHeader { CorrelationId = correlationId }.Write(writer, api.ResponseHeaderVersion(version));
        body.Write(writer, version);
        BinaryPrimitives.WriteInt32BigEndian(output.WrittenSpanMutable[start..], output.WrittenCount - start - 4);
    }
}
