using Broker.Protocol.Messages;
using Broker.Protocol.Wire;

namespace Broker.Broker.Tests.Groups;

/// <summary>Member metadata as a consumer sends it in JoinGroup: a version (0), then ConsumerProtocolSubscription v0.</summary>
public static class ConsumerSubscriptions
{
    public static byte[] Encode(params string[] topics)
    {
        using var buffer = new PooledBufferWriter();
        var writer = new KafkaWriter(buffer);
        writer.WriteInt16(0);
        new ConsumerProtocolSubscription { Topics = [.. topics] }.Write(writer, 0);
        return buffer.ToArray();
    }
}
