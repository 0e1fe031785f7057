using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;

namespace Broker.Groups;

/// <summary>Reads the topics out of a consumer-protocol subscription (a version prefix, then ConsumerProtocolSubscription).</summary>
public static class ConsumerSubscription
{
    public static bool TryAddTopics(byte[] metadata, HashSet<string> topics)
    {
        try
        {
            var reader = new KafkaReader(metadata);
            var version = reader.ReadInt16();
            var subscription = new ConsumerProtocolSubscription();
            // Newer versions than ours keep the v3 layout first: read what we know.
            subscription.Read(ref reader, Math.Min(version, ((IKafkaMessage)subscription).HighestVersion));
            topics.UnionWith(subscription.Topics);
            return true;
        }
        catch (ProtocolException)
        {
            return false;
        }
    }
}
