using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>DescribeProducers: the producers each partition's leader remembers (epoch, last sequence, last timestamp).</summary>
public sealed class DescribeProducersHandler(BrokerServices services) : ApiHandler<DescribeProducersRequest, DescribeProducersResponse>
{
    public override ApiKey Key => ApiKey.DescribeProducers;

    protected override ValueTask<DescribeProducersResponse?> HandleAsync(RequestContext context, DescribeProducersRequest request, CancellationToken cancel)
    {
        var response = new DescribeProducersResponse();
        foreach (var topic in request.Topics)
        {
            var topicResponse = new DescribeProducersResponse.TopicResponse { Name = topic.Name };
            response.Topics.Add(topicResponse);
            foreach (var index in topic.PartitionIndexes)
                topicResponse.Partitions.Add(Describe(topic.Name, index));
        }
        return ValueTask.FromResult<DescribeProducersResponse?>(response);
    }

    private DescribeProducersResponse.PartitionResponse Describe(string topic, int index)
    {
        var result = new DescribeProducersResponse.PartitionResponse { PartitionIndex = index };
        var (partition, error) = LeaderPartitions.FindLeader(services, topic, index);
        if (partition is null)
        {
            result.ErrorCode = (short)error;
            result.ErrorMessage = error == ErrorCode.NotLeaderOrFollower
                ? $"This broker does not lead {topic}-{index}."
                : $"This server does not host {topic}-{index}.";
            return result;
        }
        foreach (var producer in partition.Log.ActiveProducers())
            result.ActiveProducers.Add(new DescribeProducersResponse.ProducerState
            {
                ProducerId = producer.ProducerId,
                ProducerEpoch = producer.Epoch,
                LastSequence = producer.LastSequence,
                LastTimestamp = producer.LastTimestamp,
                CoordinatorEpoch = producer.CoordinatorEpoch,
                CurrentTxnStartOffset = producer.CurrentTxnStartOffset,
            });
        return result;
    }
}
