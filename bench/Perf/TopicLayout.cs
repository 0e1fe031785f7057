using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Perf;

/// <summary>Where each partition of the topic is led, read from Metadata; creates the topic first when it does not exist.</summary>
public sealed record TopicLayout(string Topic, IReadOnlyList<(int Partition, string Host, int Port)> Leaders)
{
    private const short MetadataVersion = 12;
    private const short CreateTopicsVersion = 7;

    public static async Task<TopicLayout> LoadAsync(BrokerConnection bootstrap, string topic, int partitionsIfCreated, bool create)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var created = !create;
        while (true)
        {
            var metadata = await bootstrap.RequestAsync<MetadataResponse>(new MetadataRequest
            {
                Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }], AllowAutoTopicCreation = false,
            }, MetadataVersion);
            var t = metadata.Topics.FirstOrDefault(x => x.Name == topic);
            if (t is { ErrorCode: 0 } && t.Partitions.Count > 0 && t.Partitions.All(p => p.ErrorCode == 0 && p.LeaderId >= 0))
            {
                var leaders = t.Partitions.OrderBy(p => p.PartitionIndex).Select(p =>
                {
                    var broker = metadata.Brokers.First(b => b.NodeId == p.LeaderId);
                    return (p.PartitionIndex, broker.Host, broker.Port);
                }).ToList();
                return new TopicLayout(topic, leaders);
            }
            if (!created && (t is null || t.ErrorCode == (short)ErrorCode.UnknownTopicOrPartition))
            {
                await CreateAsync(bootstrap, topic, partitionsIfCreated);
                created = true;
            }
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"Topic {topic} has no leader for every partition (error {t?.ErrorCode}).");
            await Task.Delay(100);
        }
    }

    private static async Task CreateAsync(BrokerConnection bootstrap, string topic, int partitions)
    {
        var response = await bootstrap.RequestAsync<CreateTopicsResponse>(new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }],
        }, CreateTopicsVersion);
        var result = response.Topics.First();
        if (result.ErrorCode is not (0 or (short)ErrorCode.TopicAlreadyExists))
            throw new InvalidOperationException($"CreateTopics {topic}: error {result.ErrorCode} {result.ErrorMessage}");
    }
}
