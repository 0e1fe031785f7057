using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Records;
using Broker.Replication;

namespace Broker.Handlers;

/// <summary>
/// Produce: each partition's batches are validated and appended in place — the bytes the client sent
/// are the bytes written, with only the base offset (and leader epoch) patched. With acks=all the
/// answer waits until the ISR holds every appended partition (the high watermark passes it), or the
/// request's timeout (REQUEST_TIMED_OUT), as Kafka's delayed produce does.
/// </summary>
public sealed class ProduceHandler(BrokerServices services) : ApiHandler<ProduceRequest, ProduceResponse>
{
    private readonly int _dropResponseEvery = services.Config.TestDropProduceResponseEvery;
    private long _produceRequests;

    public override ApiKey Key => ApiKey.Produce;

    protected override async ValueTask<ProduceResponse?> HandleAsync(RequestContext context, ProduceRequest request, CancellationToken cancel)
    {
        var response = new ProduceResponse();
        var validAcks = request.Acks is -1 or 0 or 1;
        List<(ProduceResponse.PartitionProduceResponse Answer, Partition Partition, AppendResult Result)>? awaitingAcks = null;
        foreach (var topic in request.TopicData)
        {
            var topicResponse = new ProduceResponse.TopicProduceResponse { Name = topic.Name };
            response.Responses.Add(topicResponse);
            foreach (var data in topic.PartitionData)
            {
                var (partition, result) = validAcks
                    ? Append(topic.Name, data, request.Acks)
                    : (null, AppendResult.Failed(ErrorCode.InvalidRequiredAcks));
                var answer = new ProduceResponse.PartitionProduceResponse
                {
                    Index = data.Index,
                    ErrorCode = (short)result.Error,
                    ErrorMessage = result.Message,
                    BaseOffset = result.BaseOffset,
                    LogAppendTimeMs = result.LogAppendTime,
                    LogStartOffset = result.LogStartOffset,
                    RecordErrors = result.RecordErrors ?? [],
                };
                topicResponse.PartitionResponses.Add(answer);
                if (request.Acks == -1 && result.Error == ErrorCode.None && partition is not null)
                    (awaitingAcks ??= []).Add((answer, partition, result));
            }
        }
        if (awaitingAcks is not null)
            await AwaitReplicationAsync(awaitingAcks, request.TimeoutMs, cancel).ConfigureAwait(false);
        if (_dropResponseEvery > 0 && Interlocked.Increment(ref _produceRequests) is var n && n % _dropResponseEvery == 0)
            context.CloseInsteadOfResponding($"test fault injection: produce request {n} appended, its response dropped");
        // acks=0: the producer reads no response, so none is sent.
        return request.Acks == 0 ? null : response;
    }

    /// <summary>Waits for every acks=all partition together, bounded by the request's timeout.</summary>
    private static async Task AwaitReplicationAsync(
        List<(ProduceResponse.PartitionProduceResponse Answer, Partition Partition, AppendResult Result)> waiting, int timeoutMs, CancellationToken cancel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(Math.Max(0, timeoutMs)));
        var acks = new Task<ErrorCode>[waiting.Count];
        for (var i = 0; i < waiting.Count; i++)
            acks[i] = waiting[i].Partition.WaitForAcksAsync(waiting[i].Result.RequiredOffset, waiting[i].Result.LeaderEpoch, timeout.Token);
        await Task.WhenAll(acks).ConfigureAwait(false);
        for (var i = 0; i < waiting.Count; i++)
        {
            var error = acks[i].Result;
            if (error == ErrorCode.None)
                continue;
            var answer = waiting[i].Answer;
            answer.ErrorCode = (short)error;
            answer.ErrorMessage = error switch
            {
                ErrorCode.NotEnoughReplicasAfterAppend => "The ISR shrank below min.insync.replicas while the write was being replicated.",
                ErrorCode.RequestTimedOut => "The write was not replicated to the ISR within the request's timeout.",
                _ => null,
            };
            // Kafka answers a failed acks=all partition without its offset.
            answer.BaseOffset = -1;
        }
    }

    private (Partition? Partition, AppendResult Result) Append(string topic, ProduceRequest.PartitionProduceData data, short acks)
    {
        if (InternalTopics.RefuseClientAppend(topic) is { } refused)
            return (null, refused);
        var (partition, error) = LeaderPartitions.FindLeader(services, topic, data.Index);
        if (partition is null)
            return (null, AppendResult.Failed(error));
        if (data.Records is not { Length: > 0 } records)
            return (null, AppendResult.Failed(ErrorCode.InvalidRecord, "The partition data holds no records."));
        if (LegacyMagic(records.Span) is { } magic)
            return (null, AppendResult.Failed(ErrorCode.InvalidRecord,
                $"Produce requests with version 3 or later may only hold record batches with magic 2, not magic {magic}."));
        // The request frame is this connection's own pooled buffer: patching offsets in it is safe.
        var writable = MemoryMarshal.AsMemory(records);
        var result = services.Replicas.Append(partition, writable.Span, requireMinIsr: acks == -1);
        if (result.Error == ErrorCode.None)
            services.Metrics?.Produced(topic, result.RequiredOffset - result.BaseOffset, records.Length);
        return (partition, result);
    }

    /// <summary>
    /// The magic of the first message set entry that is not a v2 batch (magic 0/1 messages keep their
    /// magic byte at the same offset), as Kafka 3.x checks Produce v3+ data: INVALID_RECORD, not a
    /// down-conversion. Entries whose framing is broken are left to the append's corrupt-data checks.
    /// </summary>
    private static byte? LegacyMagic(ReadOnlySpan<byte> records)
    {
        var position = 0;
        while (records.Length - position > RecordBatchLayout.Magic)
        {
            var magic = records[position + RecordBatchLayout.Magic];
            if (magic != RecordBatchLayout.CurrentMagic)
                return magic;
            var length = BinaryPrimitives.ReadInt32BigEndian(records[(position + RecordBatchLayout.BatchLength)..]);
            if (length <= 0 || length > records.Length - position - RecordBatchLayout.LogOverhead)
                return null;
            position += RecordBatchLayout.LogOverhead + length;
        }
        return null;
    }
}
