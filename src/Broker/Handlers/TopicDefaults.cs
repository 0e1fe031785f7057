using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>A CreateTopics request for topics created implicitly, with the broker's default partitions and replication.</summary>
public static class TopicDefaults
{
    public static CreateTopicsRequest Request(IEnumerable<string> names)
    {
        var request = new CreateTopicsRequest();
        foreach (var name in names)
            request.Topics.Add(new CreateTopicsRequest.CreatableTopic { Name = name, NumPartitions = -1, ReplicationFactor = -1 });
        return request;
    }
}
