using Broker.Controller;
using Broker.Hosting;
using Broker.Metadata;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;
using Topic = Broker.Protocol.Messages.DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponseTopic;

namespace Broker.Handlers;

/// <summary>
/// DescribeTopicPartitions (KIP-966): topics in name order with their partitions, at most
/// ResponsePartitionLimit partitions per response; a cursor says where the next page starts.
/// No topic list means every topic; then unknown names cannot occur and nothing is reported for them.
/// </summary>
public sealed class DescribeTopicPartitionsHandler(BrokerServices services)
    : ApiHandler<DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse>
{
    /// <summary>Kafka's max.request.partition.size.limit default: the most partitions one response holds.</summary>
    public const int MaxPartitionsPerResponse = 2000;

    public override ApiKey Key => ApiKey.DescribeTopicPartitions;

    protected override ValueTask<DescribeTopicPartitionsResponse?> HandleAsync(
        RequestContext context, DescribeTopicPartitionsRequest request, CancellationToken cancel)
    {
        var image = services.Metadata.Current;
        var response = new DescribeTopicPartitionsResponse();
        var fetchAll = request.Topics.Count == 0;
        var cursor = request.Cursor;
        var names = (fetchAll ? image.TopicsByName.Keys : request.Topics.Select(t => t.Name))
            .Where(n => cursor is null || string.CompareOrdinal(n, cursor.TopicName) >= 0)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

        if (cursor is not null && !fetchAll && !request.Topics.Any(t => t.Name == cursor.TopicName))
        {
            foreach (var topic in request.Topics)
                response.Topics.Add(new Topic { Name = topic.Name, ErrorCode = (short)ErrorCode.InvalidRequest });
            return ValueTask.FromResult<DescribeTopicPartitionsResponse?>(response);
        }

        var remaining = Math.Clamp(request.ResponsePartitionLimit, 1, MaxPartitionsPerResponse);
        foreach (var name in names)
        {
            if (remaining == 0)
            {
                // The previous topic ended exactly at the limit: the next page starts at this one.
                response.NextCursor = new DescribeTopicPartitionsResponse.Cursor { TopicName = name, PartitionIndex = 0 };
                break;
            }
            if (image.Topic(name) is not { } topic)
            {
                if (!fetchAll)
                    response.Topics.Add(new Topic
                    {
                        Name = name, TopicId = Uuid.Zero, IsInternal = name is "__consumer_offsets" or "__transaction_state",
                        ErrorCode = (short)(TopicNames.Validate(name) is null ? ErrorCode.UnknownTopicOrPartition : ErrorCode.InvalidTopicException),
                    });
                continue;
            }
            var start = cursor is not null && name == cursor.TopicName ? Math.Max(cursor.PartitionIndex, 0) : 0;
            var page = topic.Partitions.Where(p => p.PartitionId >= start).OrderBy(p => p.PartitionId).ToList();
            var entry = new Topic { Name = name, TopicId = topic.Id, IsInternal = topic.IsInternal };
            foreach (var p in page.Take(remaining))
                entry.Partitions.Add(Describe(p, image, context.ListenerName));
            response.Topics.Add(entry);
            if (page.Count > remaining)
            {
                response.NextCursor = new DescribeTopicPartitionsResponse.Cursor { TopicName = name, PartitionIndex = page[remaining].PartitionId };
                break;
            }
            remaining -= page.Count;
        }
        return ValueTask.FromResult<DescribeTopicPartitionsResponse?>(response);
    }

    private static DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponsePartition Describe(PartitionImage p, MetadataImage image, string listener)
    {
        var offline = p.Replicas.Where(r => !image.Brokers.TryGetValue(r, out var b) || b.Fenced).ToList();
        var leaderReachable = image.Brokers.TryGetValue(p.Leader, out var leader) && !leader.Fenced && leader.Endpoint(listener) is not null;
        return new DescribeTopicPartitionsResponse.DescribeTopicPartitionsResponsePartition
        {
            ErrorCode = (short)(leaderReachable ? ErrorCode.None : ErrorCode.LeaderNotAvailable),
            PartitionIndex = p.PartitionId,
            LeaderId = p.Leader,
            LeaderEpoch = p.LeaderEpoch,
            ReplicaNodes = p.Replicas.ToList(),
            IsrNodes = p.Isr.ToList(),
            // No eligible leader replicas (KIP-966) without the ELR feature: empty, not unknown.
            EligibleLeaderReplicas = [],
            LastKnownElr = [],
            OfflineReplicas = offline,
        };
    }
}
