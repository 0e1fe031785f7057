using Broker.Hosting;
using Broker.Log;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Replication;

namespace Broker.Handlers;

/// <summary>
/// Fetch from a follower replica (replica id ≥ 0), served by the partitions' leader: every partition
/// is checked for divergence and records the follower's position (which moves the high watermark
/// and may expand the ISR), records are read up to the log end, and the request waits up to
/// MaxWaitMs for appends when nothing new is there. It also answers as soon as a partition's high
/// watermark has moved past where it stood when the fetch arrived, so followers learn it at once:
/// they serve consumers up to it (KIP-392). No fetch sessions: followers send full requests.
/// </summary>
public static class ReplicaFetchServing
{
    public static async ValueTask<FetchResponse> HandleAsync(
        BrokerServices services, RequestContext context, FetchRequest request, int replicaId, long replicaEpoch, CancellationToken cancel)
    {
        var version = context.ApiVersion;
        var deadline = Environment.TickCount64 + Math.Clamp(request.MaxWaitMs, 0, FetchLimits.MaxWaitMs);
        var firstPass = true;
        // Each partition's high watermark when the fetch arrived, in request order.
        var arrivalHighWatermarks = new List<long>();
        while (true)
        {
            var image = services.Metadata.Current;
            var now = services.Replicas.NowMs;
            var response = new FetchResponse();
            long bytes = 0;
            var budget = request.MaxBytes;
            var complete = false;
            var waitOn = new List<Task>();
            var index = 0;
            foreach (var topic in request.Topics)
            {
                var name = version >= 13 ? image.TopicsById.GetValueOrDefault(topic.TopicId)?.Name : topic.Topic;
                var topicResponse = new FetchResponse.FetchableTopicResponse { Topic = topic.Topic, TopicId = topic.TopicId };
                response.Responses.Add(topicResponse);
                foreach (var p in topic.Partitions)
                {
                    var data = new FetchResponse.PartitionData { PartitionIndex = p.Partition, Records = ReadOnlyMemory<byte>.Empty };
                    topicResponse.Partitions.Add(data);
                    var partition = name is null ? null : services.Replicas.Get(name, p.Partition);
                    if (firstPass)
                        arrivalHighWatermarks.Add(partition?.Log.HighWatermark ?? -1);
                    var arrivalHighWatermark = arrivalHighWatermarks[index++];
                    if (partition is null || services.Replicas.OfflineDirs.IsOffline(partition.Log))
                    {
                        data.ErrorCode = (short)(partition is not null ? ErrorCode.KafkaStorageError
                            : name is null && version >= 13 ? ErrorCode.UnknownTopicId : ErrorCode.NotLeaderOrFollower);
                        complete = true;
                        continue;
                    }
                    var read = partition.ReadForFollower(replicaId, replicaEpoch, p.FetchOffset, p.LastFetchedEpoch, p.CurrentLeaderEpoch,
                        Math.Max(0, Math.Min(p.PartitionMaxBytes, budget)), now, recordPosition: firstPass);
                    data.ErrorCode = (short)read.Error;
                    data.HighWatermark = read.HighWatermark;
                    data.LastStableOffset = read.HighWatermark;
                    data.LogStartOffset = read.LogStartOffset;
                    if (read.Error != ErrorCode.None || read.DivergingEpoch >= 0 || read.DivergingEndOffset >= 0)
                    {
                        data.DivergingEpoch.Epoch = read.DivergingEpoch;
                        data.DivergingEpoch.EndOffset = read.DivergingEndOffset;
                        complete = true;
                        continue;
                    }
                    waitOn.Add(partition.NextAppend);
                    waitOn.Add(partition.NextHighWatermark);
                    if (read.HighWatermark > arrivalHighWatermark)
                        complete = true;
                    if (read.Records.Length == 0)
                        continue;
                    var records = new FileRegionRecords(read.Records);
                    context.DisposeAfterResponse(records);
                    data.Records = records.Memory;
                    bytes += read.Records.Length;
                    budget -= read.Records.Length;
                }
            }
            firstPass = false;
            var remaining = deadline - Environment.TickCount64;
            if (complete || bytes >= request.MinBytes || bytes > 0 || remaining <= 0 || waitOn.Count == 0 || cancel.IsCancellationRequested)
                return response;
            // Nothing new: sleep until one of the partitions is appended to or commits more, or the wait ends.
            await FetchLimits.WaitForAnyAsync(waitOn, remaining, cancel).ConfigureAwait(false);
        }
    }
}
