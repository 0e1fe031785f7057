using Broker.Hosting;
using Broker.Log;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>OffsetDelete: removes committed offsets of topics the group no longer consumes.</summary>
public sealed class OffsetDeleteHandler(BrokerServices services) : ApiHandler<OffsetDeleteRequest, OffsetDeleteResponse>
{
    public override ApiKey Key => ApiKey.OffsetDelete;

    protected override ValueTask<OffsetDeleteResponse?> HandleAsync(RequestContext context, OffsetDeleteRequest request, CancellationToken cancel)
    {
        var partitions = request.Topics.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Name, p.PartitionIndex))).ToList();
        var (error, results) = services.Groups.DeleteOffsets(request.GroupId, partitions);
        var response = new OffsetDeleteResponse { ErrorCode = (short)error };
        if (error != ErrorCode.None)
            return ValueTask.FromResult<OffsetDeleteResponse?>(response);
        var i = 0;
        foreach (var topic in request.Topics)
        {
            var result = new OffsetDeleteResponse.OffsetDeleteResponseTopic { Name = topic.Name };
            foreach (var partition in topic.Partitions)
                result.Partitions.Add(new OffsetDeleteResponse.OffsetDeleteResponsePartition
                {
                    PartitionIndex = partition.PartitionIndex, ErrorCode = (short)results[i++],
                });
            response.Topics.Add(result);
        }
        return ValueTask.FromResult<OffsetDeleteResponse?>(response);
    }
}
