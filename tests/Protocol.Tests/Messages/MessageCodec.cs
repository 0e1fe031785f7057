using Broker.Protocol.Wire;

namespace Broker.Protocol.Tests.Messages;

internal static class MessageCodec
{
    public static byte[] Write(IKafkaMessage message, short version)
    {
        using var buffer = new PooledBufferWriter();
        message.Write(new KafkaWriter(buffer), version);
        return buffer.ToArray();
    }

    /// <summary>Reads a whole buffer into a fresh instance of <paramref name="type"/>; leftovers are an error.</summary>
    public static IKafkaMessage Read(Type type, byte[] bytes, short version)
    {
        var message = (IKafkaMessage)Activator.CreateInstance(type)!;
        var reader = new KafkaReader(bytes);
        message.Read(ref reader, version);
        reader.EnsureEnd(type.Name);
        return message;
    }

    public static T Read<T>(byte[] bytes, short version) where T : IKafkaMessage, new() =>
        (T)Read(typeof(T), bytes, version);
}
