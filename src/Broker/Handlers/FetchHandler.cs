using Broker.Hosting;
using Broker.Metadata;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Replication;

namespace Broker.Handlers;

/// <summary>
/// Fetch for consumers: whole batches up to the high watermark, within per-partition and total byte
/// limits (the first batch is always returned whole so a large batch cannot stall a consumer), and a
/// wait of up to MaxWaitMs for MinBytes to arrive, woken by appends rather than polling.
/// Fetch sessions (KIP-227) are declined by answering session id 0: clients then send full fetches.
/// </summary>
public sealed class FetchHandler(BrokerServices services) : ApiHandler<FetchRequest, FetchResponse>
{
    public override ApiKey Key => ApiKey.Fetch;

    protected override async ValueTask<FetchResponse?> HandleAsync(RequestContext context, FetchRequest request, CancellationToken cancel)
    {
        if (request.SessionId != 0)
            return new FetchResponse { ErrorCode = (short)ErrorCode.FetchSessionIdNotFound };

        var deadline = Environment.TickCount64 + Math.Max(0, request.MaxWaitMs);
        while (true)
        {
            var image = services.Metadata.Current;
            var (response, bytes, waitOn) = ReadAll(request, context.ApiVersion, image);
            var remaining = deadline - Environment.TickCount64;
            if (bytes >= request.MinBytes || remaining <= 0 || waitOn.Count == 0 || cancel.IsCancellationRequested)
                return response;
            // Nothing (or too little) yet: sleep until one of the partitions is appended to, or the wait ends.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(TimeSpan.FromMilliseconds(remaining));
            var expired = Task.Delay(Timeout.Infinite, timeout.Token);
            await Task.WhenAny(waitOn.Append(expired)).ConfigureAwait(false);
        }
    }

    private (FetchResponse Response, long Bytes, List<Task> WaitOn) ReadAll(FetchRequest request, short version, MetadataImage image)
    {
        var response = new FetchResponse();
        var waitOn = new List<Task>();
        long total = 0;
        var budget = request.MaxBytes;
        var readCommitted = request.IsolationLevel == 1;
        foreach (var topic in request.Topics)
        {
            var topicImage = version >= 13 ? image.TopicsById.GetValueOrDefault(topic.TopicId) : image.Topic(topic.Topic);
            var topicResponse = new FetchResponse.FetchableTopicResponse { Topic = topic.Topic, TopicId = topic.TopicId };
            response.Responses.Add(topicResponse);
            foreach (var p in topic.Partitions)
            {
                // librdkafka rejects a null record set: an empty one means "nothing yet".
                var data = new FetchResponse.PartitionData
                {
                    PartitionIndex = p.Partition, AbortedTransactions = readCommitted ? new() : null, Records = ReadOnlyMemory<byte>.Empty,
                };
                topicResponse.Partitions.Add(data);
                var partition = topicImage is null ? null : services.Replicas.Get(topicImage.Name, p.Partition);
                if (partition is null)
                {
                    data.ErrorCode = (short)(topicImage is null && version >= 13 ? ErrorCode.UnknownTopicId : ErrorCode.UnknownTopicOrPartition);
                    continue;
                }
                var error = Check(partition, p);
                var log = partition.Log;
                data.HighWatermark = log.HighWatermark;
                data.LastStableOffset = log.HighWatermark;
                data.LogStartOffset = log.LogStartOffset;
                if (error != ErrorCode.None)
                {
                    data.ErrorCode = (short)error;
                    continue;
                }
                waitOn.Add(partition.NextAppend);
                var limit = Math.Min(p.PartitionMaxBytes, budget);
                if (limit <= 0 && total > 0)
                    continue;
                var read = log.Read(p.FetchOffset, Math.Max(limit, 0), maxOffset: log.HighWatermark, minOneBatch: total == 0);
                if (read.Records.IsEmpty)
                    continue;
                data.Records = read.Records.ToArray();
                total += read.Records.Length;
                budget -= read.Records.Length;
            }
        }
        return (response, total, waitOn);
    }

    private ErrorCode Check(Partition partition, FetchRequest.FetchPartition p)
    {
        if (partition.Leader != services.NodeId)
            return ErrorCode.NotLeaderOrFollower;
        if (p.CurrentLeaderEpoch >= 0 && p.CurrentLeaderEpoch != partition.LeaderEpoch)
            return p.CurrentLeaderEpoch < partition.LeaderEpoch ? ErrorCode.FencedLeaderEpoch : ErrorCode.UnknownLeaderEpoch;
        if (p.FetchOffset < partition.Log.LogStartOffset || p.FetchOffset > partition.Log.LogEndOffset)
            return ErrorCode.OffsetOutOfRange;
        return ErrorCode.None;
    }
}
