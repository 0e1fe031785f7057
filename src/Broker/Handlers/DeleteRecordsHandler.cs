using Broker.Hosting;
using Broker.Log;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>
/// DeleteRecords: moves each partition's log start offset forward (whole segments below it are
/// deleted) and answers with the new low watermark. Offset -1 means the high watermark.
/// </summary>
public sealed class DeleteRecordsHandler(BrokerServices services) : ApiHandler<DeleteRecordsRequest, DeleteRecordsResponse>
{
    public const long HighWatermark = -1;

    public override ApiKey Key => ApiKey.DeleteRecords;

    protected override ValueTask<DeleteRecordsResponse?> HandleAsync(RequestContext context, DeleteRecordsRequest request, CancellationToken cancel)
    {
        var response = new DeleteRecordsResponse();
        foreach (var topic in request.Topics)
        {
            var result = new DeleteRecordsResponse.DeleteRecordsTopicResult { Name = topic.Name };
            response.Topics.Add(result);
            foreach (var p in topic.Partitions)
            {
                var (error, low) = Delete(topic.Name, p.PartitionIndex, p.Offset);
                result.Partitions.Add(new DeleteRecordsResponse.DeleteRecordsPartitionResult
                {
                    PartitionIndex = p.PartitionIndex, ErrorCode = (short)error, LowWatermark = low,
                });
            }
        }
        return ValueTask.FromResult<DeleteRecordsResponse?>(response);
    }

    private (ErrorCode Error, long LowWatermark) Delete(string topic, int partitionIndex, long offset)
    {
        var (partition, error) = LeaderPartitions.Find(services, topic, partitionIndex);
        if (partition is null)
            return (error, -1);
        if (partition.Id.Topic is "__consumer_offsets" or "__transaction_state")
            return (ErrorCode.InvalidTopicException, -1);
        // Only a policy that deletes may lose records by request; a compacted-only topic keeps its keys.
        if (!partition.Config.Delete)
            return (ErrorCode.PolicyViolation, -1);
        var log = partition.Log;
        var target = offset == HighWatermark ? log.HighWatermark : offset;
        if (target < 0)
            return (ErrorCode.OffsetOutOfRange, -1);
        try
        {
            return (ErrorCode.None, log.DeleteRecordsBefore(target));
        }
        catch (OffsetOutOfRangeException)
        {
            return (ErrorCode.OffsetOutOfRange, -1);
        }
        catch (ObjectDisposedException)
        {
            // The topic was deleted while the request was on its way.
            return (ErrorCode.UnknownTopicOrPartition, -1);
        }
    }
}
