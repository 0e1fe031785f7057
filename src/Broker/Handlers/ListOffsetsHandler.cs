using Broker.Hosting;
using Broker.Log;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>
/// ListOffsets: earliest (-2), latest (-1), max timestamp (-3), earliest local (-4), or the first
/// offset whose timestamp is at or after the one given.
/// </summary>
public sealed class ListOffsetsHandler(BrokerServices services) : ApiHandler<ListOffsetsRequest, ListOffsetsResponse>
{
    public const long Latest = -1, Earliest = -2, MaxTimestamp = -3, EarliestLocal = -4, LatestTiered = -5;

    public override ApiKey Key => ApiKey.ListOffsets;

    protected override ValueTask<ListOffsetsResponse?> HandleAsync(RequestContext context, ListOffsetsRequest request, CancellationToken cancel)
    {
        var response = new ListOffsetsResponse();
        foreach (var topic in request.Topics)
        {
            var topicResponse = new ListOffsetsResponse.ListOffsetsTopicResponse { Name = topic.Name };
            response.Topics.Add(topicResponse);
            foreach (var p in topic.Partitions)
                topicResponse.Partitions.Add(Lookup(topic.Name, p, request.IsolationLevel));
        }
        return ValueTask.FromResult<ListOffsetsResponse?>(response);
    }

    private ListOffsetsResponse.ListOffsetsPartitionResponse Lookup(string topic, ListOffsetsRequest.ListOffsetsPartition request, sbyte isolation)
    {
        var result = new ListOffsetsResponse.ListOffsetsPartitionResponse { PartitionIndex = request.PartitionIndex };
        var (partition, error) = LeaderPartitions.Find(services, topic, request.PartitionIndex, request.CurrentLeaderEpoch);
        if (partition is null)
        {
            result.ErrorCode = (short)error;
            return result;
        }
        var log = partition.Log;
        TimestampAndOffset? found = request.Timestamp switch
        {
            // Consumers see up to the high watermark (and the last stable offset under read_committed).
            Latest => new TimestampAndOffset(-1, log.HighWatermark, partition.LeaderEpoch),
            Earliest or EarliestLocal => log.EarliestOffset(),
            MaxTimestamp => log.MaxTimestampOffset(),
            LatestTiered => new TimestampAndOffset(-1, -1, -1),
            _ => log.OffsetForTimestamp(request.Timestamp),
        };
        if (found is { } f && f.Offset <= log.HighWatermark)
        {
            result.Offset = f.Offset;
            result.Timestamp = f.Timestamp;
            result.LeaderEpoch = f.LeaderEpoch;
        }
        return result;
    }
}
