using Broker.Protocol;
using Broker.Replication;

namespace Broker.Handlers;

/// <summary>
/// The broker's own topics are written only by their coordinators, which append through the replica
/// manager directly. A client's Produce to them is refused as Kafka refuses it: a stray or hostile
/// batch there would be replayed by the coordinator at every start.
/// </summary>
public static class InternalTopics
{
    public static bool IsInternal(string topic) => topic is "__consumer_offsets" or "__transaction_state";

    /// <summary>INVALID_TOPIC_EXCEPTION for a client append to an internal topic, else null.</summary>
    public static AppendResult? RefuseClientAppend(string topic) => IsInternal(topic)
        ? AppendResult.Failed(ErrorCode.InvalidTopicException, $"Cannot append to internal topic {topic}")
        : null;
}
