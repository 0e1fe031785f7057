using System.Runtime.InteropServices;
using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>
/// Produce: each partition's batches are validated and appended in place — the bytes the client sent
/// are the bytes written, with only the base offset (and leader epoch) patched.
/// </summary>
public sealed class ProduceHandler(BrokerServices services) : ApiHandler<ProduceRequest, ProduceResponse>
{
    private readonly int _dropResponseEvery = services.Config.TestDropProduceResponseEvery;
    private long _produceRequests;

    public override ApiKey Key => ApiKey.Produce;

    protected override ValueTask<ProduceResponse?> HandleAsync(RequestContext context, ProduceRequest request, CancellationToken cancel)
    {
        var response = new ProduceResponse();
        var validAcks = request.Acks is -1 or 0 or 1;
        foreach (var topic in request.TopicData)
        {
            var topicResponse = new ProduceResponse.TopicProduceResponse { Name = topic.Name };
            response.Responses.Add(topicResponse);
            foreach (var data in topic.PartitionData)
            {
                var result = validAcks
                    ? Append(topic.Name, data, request.Acks)
                    : Replication.AppendResult.Failed(ErrorCode.InvalidRequiredAcks);
                topicResponse.PartitionResponses.Add(new ProduceResponse.PartitionProduceResponse
                {
                    Index = data.Index,
                    ErrorCode = (short)result.Error,
                    ErrorMessage = result.Message,
                    BaseOffset = result.BaseOffset,
                    LogAppendTimeMs = result.LogAppendTime,
                    LogStartOffset = result.LogStartOffset,
                    RecordErrors = result.RecordErrors ?? [],
                });
            }
        }
        if (_dropResponseEvery > 0 && Interlocked.Increment(ref _produceRequests) is var n && n % _dropResponseEvery == 0)
            context.CloseInsteadOfResponding($"test fault injection: produce request {n} appended, its response dropped");
        // acks=0: the producer reads no response, so none is sent.
        return ValueTask.FromResult(request.Acks == 0 ? null : response);
    }

    private Replication.AppendResult Append(string topic, ProduceRequest.PartitionProduceData data, short acks)
    {
        if (InternalTopics.RefuseClientAppend(topic) is { } refused)
            return refused;
        var (partition, error) = LeaderPartitions.FindLeader(services, topic, data.Index);
        if (partition is null)
            return Replication.AppendResult.Failed(error);
        if (data.Records is not { Length: > 0 } records)
            return Replication.AppendResult.Failed(ErrorCode.InvalidRecord, "The partition data holds no records.");
        if (acks == -1 && partition.Config.MinInsyncReplicas > services.Metadata.Current.IsrSize(topic, data.Index))
            return Replication.AppendResult.Failed(ErrorCode.NotEnoughReplicas,
                $"The in-sync replicas are fewer than min.insync.replicas ({partition.Config.MinInsyncReplicas}).");
        // The request frame is this connection's own pooled buffer: patching offsets in it is safe.
        var writable = MemoryMarshal.AsMemory(records);
        return services.Replicas.Append(partition, writable.Span);
    }
}
