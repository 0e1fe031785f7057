using Broker.Groups;
using Broker.Hosting;
using Broker.Log;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>
/// OffsetFetch: one group before v8, several from v8. Null topics (v2+) ask for every committed
/// offset; a partition without one answers offset -1.
/// </summary>
public sealed class OffsetFetchHandler(BrokerServices services) : ApiHandler<OffsetFetchRequest, OffsetFetchResponse>
{
    public override ApiKey Key => ApiKey.OffsetFetch;

    protected override ValueTask<OffsetFetchResponse?> HandleAsync(RequestContext context, OffsetFetchRequest request, CancellationToken cancel)
    {
        var response = new OffsetFetchResponse();
        if (context.ApiVersion >= 8)
            foreach (var group in request.Groups)
            {
                var (error, offsets) = services.Groups.FetchOffsets(group.GroupId, Requested(group.Topics?.Select(t => (t.Name, t.PartitionIndexes))));
                var result = new OffsetFetchResponse.OffsetFetchResponseGroup { GroupId = group.GroupId, ErrorCode = (short)error };
                foreach (var topic in offsets.GroupBy(o => o.Partition.Topic))
                    result.Topics.Add(new OffsetFetchResponse.OffsetFetchResponseTopics
                    {
                        Name = topic.Key,
                        Partitions = topic.Select(o => new OffsetFetchResponse.OffsetFetchResponsePartitions
                        {
                            PartitionIndex = o.Partition.Partition, CommittedOffset = o.Offset?.Offset ?? -1,
                            CommittedLeaderEpoch = o.Offset?.LeaderEpoch ?? -1, Metadata = o.Offset?.Metadata ?? "",
                        }).ToList(),
                    });
                response.Groups.Add(result);
            }
        else
        {
            var requested = Requested(request.Topics?.Select(t => (t.Name, t.PartitionIndexes)));
            var (error, offsets) = services.Groups.FetchOffsets(request.GroupId, requested);
            // v1 has no group-level error: the partitions asked for carry it.
            if (error != ErrorCode.None && context.ApiVersion < 2 && requested is not null)
                offsets = requested.Select(p => (p, (CommittedOffset?)null)).ToList();
            response.ErrorCode = (short)error;
            foreach (var topic in offsets.GroupBy(o => o.Partition.Topic))
                response.Topics.Add(new OffsetFetchResponse.OffsetFetchResponseTopic
                {
                    Name = topic.Key,
                    Partitions = topic.Select(o => new OffsetFetchResponse.OffsetFetchResponsePartition
                    {
                        PartitionIndex = o.Partition.Partition, CommittedOffset = o.Offset?.Offset ?? -1,
                        CommittedLeaderEpoch = o.Offset?.LeaderEpoch ?? -1, Metadata = o.Offset?.Metadata ?? "",
                        ErrorCode = context.ApiVersion < 2 ? (short)error : (short)0,
                    }).ToList(),
                });
        }
        return ValueTask.FromResult<OffsetFetchResponse?>(response);
    }

    private static List<TopicPartition>? Requested(IEnumerable<(string Name, List<int> Partitions)>? topics) =>
        topics?.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Name, p))).ToList();
}
