using Broker.Hosting;
using Broker.Log;
using Broker.Metadata;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;
using Broker.Replication;
using Microsoft.Extensions.Logging;

namespace Broker.Handlers;

/// <summary>
/// Fetch for consumers: whole batches up to the high watermark, within per-partition and total byte
/// limits (the first batch is always returned whole so a large batch cannot stall a consumer), and a
/// wait of up to MaxWaitMs for MinBytes to arrive, woken by appends rather than polling.
/// Incremental fetch sessions (KIP-227): epoch 0 opens one, later epochs send and receive only changes.
/// From v11 a follower serves consumers too, up to its own high watermark, and with
/// <c>replica.selector.class</c> set the leader sends a consumer that names its rack to an in-sync
/// replica in that rack (KIP-392: PreferredReadReplica, no records). ListOffsets stays with the leader.
/// </summary>
public sealed class FetchHandler(BrokerServices services) : ApiHandler<FetchRequest, FetchResponse>
{
    private const int FinalEpoch = -1;
    private readonly FetchSessionCache _sessions = new();
    private readonly ILogger _logger = services.LoggerFactory.CreateLogger<FetchHandler>();

    public override ApiKey Key => ApiKey.Fetch;

    protected override async ValueTask<FetchResponse?> HandleAsync(RequestContext context, FetchRequest request, CancellationToken cancel)
    {
        var version = context.ApiVersion;
        var replicaId = version >= 15 ? request.ReplicaState.ReplicaId : request.ReplicaId;
        if (replicaId >= 0)
            return await ReplicaFetchServing.HandleAsync(services, context, request, replicaId,
                version >= 15 ? request.ReplicaState.ReplicaEpoch : -1, cancel).ConfigureAwait(false);
        var image = services.Metadata.Current;
        var (session, error) = OpenSession(request);
        if (error != ErrorCode.None)
            return new FetchResponse { ErrorCode = (short)error };
        var incremental = session is not null && request.SessionEpoch > 0;
        var partitions = session?.Partitions ?? [];
        Merge(request, partitions, image, version);
        if (session is not null)
            session.NextEpoch = incremental ? request.SessionEpoch + 1 : 1;

        var deadline = Environment.TickCount64 + Math.Clamp(request.MaxWaitMs, 0, FetchLimits.MaxWaitMs);
        while (true)
        {
            image = services.Metadata.Current;
            var (results, bytes, waitOn, redirected) = ReadAll(context, request, partitions, image, version);
            var remaining = deadline - Environment.TickCount64;
            // A client sent to another replica is told at once, as Kafka does, rather than after the wait.
            if (bytes >= request.MinBytes || redirected || remaining <= 0 || waitOn.Count == 0 || cancel.IsCancellationRequested)
            {
                CountBytesOut(results);
                return Respond(results, session, incremental, version);
            }
            // Too little yet: sleep until one of the partitions' high watermark moves, or the wait ends.
            await FetchLimits.WaitForAnyAsync(waitOn, remaining, cancel).ConfigureAwait(false);
        }
    }

    private void CountBytesOut(List<(FetchSessionPartition Key, FetchResponse.PartitionData Data)> results)
    {
        if (services.Metrics is not { } metrics)
            return;
        foreach (var (key, data) in results)
        {
            if (data.Records is { IsEmpty: false } records)
                metrics.Fetched(key.Topic, records.Length);
        }
    }

    /// <summary>Kafka's session rules: id 0 + epoch 0 opens, id + epoch -1 closes, id + epoch n continues.</summary>
    private (FetchSession? Session, ErrorCode Error) OpenSession(FetchRequest request)
    {
        if (request.SessionId == 0)
            return request.SessionEpoch switch
            {
                FinalEpoch => (null, ErrorCode.None),
                0 => (_sessions.Create(), ErrorCode.None),
                _ => (null, ErrorCode.InvalidFetchSessionEpoch),
            };
        if (request.SessionEpoch is FinalEpoch or 0)
        {
            _sessions.Remove(request.SessionId);
            return (request.SessionEpoch == 0 ? _sessions.Create() : null, ErrorCode.None);
        }
        var session = _sessions.Get(request.SessionId);
        if (session is null)
            return (null, ErrorCode.FetchSessionIdNotFound);
        if (session.NextEpoch != request.SessionEpoch)
            return (null, ErrorCode.InvalidFetchSessionEpoch);
        return (session, ErrorCode.None);
    }

    /// <summary>Adds or updates the partitions the request names and drops the forgotten ones.</summary>
    private static void Merge(FetchRequest request, List<FetchSessionPartition> partitions, MetadataImage image, short version)
    {
        foreach (var topic in request.Topics)
        {
            var name = version >= 13 ? image.TopicsById.GetValueOrDefault(topic.TopicId)?.Name ?? "" : topic.Topic;
            foreach (var p in topic.Partitions)
            {
                var cached = partitions.Find(x => x.Partition == p.Partition && (version >= 13 ? x.TopicId == topic.TopicId : x.Topic == name));
                if (cached is null)
                {
                    cached = new FetchSessionPartition(name, topic.TopicId, p.Partition);
                    partitions.Add(cached);
                }
                cached.FetchOffset = p.FetchOffset;
                cached.MaxBytes = p.PartitionMaxBytes;
                cached.CurrentLeaderEpoch = p.CurrentLeaderEpoch;
            }
        }
        foreach (var forgotten in request.ForgottenTopicsData)
            partitions.RemoveAll(x => forgotten.Partitions.Contains(x.Partition)
                && (version >= 13 ? x.TopicId == forgotten.TopicId : x.Topic == forgotten.Topic));
    }

    private (List<(FetchSessionPartition Key, FetchResponse.PartitionData Data)> Results, long Bytes, List<Task> WaitOn, bool Redirected) ReadAll(
        RequestContext context, FetchRequest request, List<FetchSessionPartition> partitions, MetadataImage image, short version)
    {
        var results = new List<(FetchSessionPartition, FetchResponse.PartitionData)>(partitions.Count);
        var waitOn = new List<Task>();
        long total = 0;
        var budget = request.MaxBytes;
        var readCommitted = request.IsolationLevel == 1;
        var redirected = false;
        // Fetch v11+ carries the client's rack (KIP-392); older consumers must read from the leader.
        var fromAnyReplica = version >= 11;
        Func<int, string?>? rackOf = fromAnyReplica && services.Config.RackAwareReplicaSelector && request.RackId.Length > 0
            ? id => ServingRack(image, id, context.ListenerName)
            : null;
        foreach (var key in partitions)
        {
            // librdkafka rejects a null record set: an empty one means "nothing yet".
            var data = new FetchResponse.PartitionData
            {
                PartitionIndex = key.Partition, AbortedTransactions = readCommitted ? new() : null, Records = ReadOnlyMemory<byte>.Empty,
            };
            results.Add((key, data));
            var known = version >= 13 ? image.TopicsById.ContainsKey(key.TopicId) : image.Topic(key.Topic) is not null;
            if (!known)
            {
                data.ErrorCode = (short)(version >= 13 ? ErrorCode.UnknownTopicId : ErrorCode.UnknownTopicOrPartition);
                continue;
            }
            var (partition, error) = fromAnyReplica
                ? LeaderPartitions.FindReplica(services, key.Topic, key.Partition, key.CurrentLeaderEpoch)
                : LeaderPartitions.Find(services, key.Topic, key.Partition, key.CurrentLeaderEpoch);
            if (partition is null)
            {
                data.ErrorCode = (short)error;
                continue;
            }
            var log = partition.Log;
            data.HighWatermark = log.HighWatermark;
            data.LastStableOffset = log.HighWatermark;
            data.LogStartOffset = log.LogStartOffset;
            if (rackOf is not null && partition.Role == PartitionRole.Leader
                && partition.PreferredReadReplica(request.RackId, key.FetchOffset, rackOf) is var preferred and >= 0)
            {
                data.PreferredReadReplica = preferred;
                redirected = true;
                _logger.LogDebug("{Partition}: client {Client} in rack {Rack} sent to replica {Replica} to fetch at {Offset}",
                    partition.Id, context.ClientId, request.RackId, preferred, key.FetchOffset);
                continue;
            }
            if (key.FetchOffset < log.LogStartOffset || key.FetchOffset > log.LogEndOffset)
            {
                data.ErrorCode = (short)ErrorCode.OffsetOutOfRange;
                continue;
            }
            waitOn.Add(partition.NextHighWatermark);
            var limit = Math.Min(key.MaxBytes, budget);
            if (limit <= 0 && total > 0)
                continue;
            var read = log.Read(key.FetchOffset, Math.Max(limit, 0), maxOffset: log.HighWatermark, minOneBatch: total == 0);
            if (read.Records.IsEmpty)
                continue;
            // Read from the segment into the response buffer when the response is encoded: one copy.
            var records = new FileRegionRecords(read.Records);
            context.DisposeAfterResponse(records);
            data.Records = records.Memory;
            total += read.Records.Length;
            budget -= read.Records.Length;
            if (partition.FirstConsumerReadAsFollower())
                _logger.LogInformation(
                    "{Partition}: serving consumer fetches as a follower of {Leader}, up to this replica's high watermark (client {Client}, rack {Rack})",
                    partition.Id, partition.Leader, context.ClientId, request.RackId);
        }
        return (results, total, waitOn, redirected);
    }

    /// <summary>The rack of a broker a client on <paramref name="listener"/> can be sent to now; null when it cannot (fenced, gone, not on that listener).</summary>
    private static string? ServingRack(MetadataImage image, int brokerId, string listener) =>
        image.Brokers.TryGetValue(brokerId, out var broker) && !broker.Fenced && !broker.InControlledShutdown && broker.Endpoint(listener) is not null
            ? broker.Rack
            : null;


    /// <summary>
    /// Groups partitions by topic in session order. An incremental response leaves out partitions with
    /// no records, no error and the same high watermark and log start offset as last time.
    /// </summary>
    private static FetchResponse Respond(
        List<(FetchSessionPartition Key, FetchResponse.PartitionData Data)> results, FetchSession? session, bool incremental, short version)
    {
        var response = new FetchResponse { SessionId = session?.Id ?? 0 };
        FetchResponse.FetchableTopicResponse? current = null;
        foreach (var (key, data) in results)
        {
            var changed = !data.Records!.Value.IsEmpty || data.ErrorCode != 0
                || data.HighWatermark != key.LastHighWatermark || data.LogStartOffset != key.LastLogStartOffset;
            key.LastHighWatermark = data.HighWatermark;
            key.LastLogStartOffset = data.LogStartOffset;
            if (incremental && !changed)
                continue;
            var sameTopic = current is not null && (version >= 13 ? current.TopicId == key.TopicId : current.Topic == key.Topic);
            if (!sameTopic)
            {
                current = new FetchResponse.FetchableTopicResponse { Topic = key.Topic, TopicId = key.TopicId };
                response.Responses.Add(current);
            }
            current!.Partitions.Add(data);
        }
        return response;
    }
}
