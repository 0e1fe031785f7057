using Broker.Hosting;
using Broker.Log;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Replication;

namespace Broker.Handlers;

/// <summary>
/// OffsetForLeaderEpoch: for each partition, the largest epoch at most the one asked for and the
/// offset where the epoch after it starts (the log end offset for the current epoch). Consumers use
/// it to detect a log truncated under them (KIP-320), followers to find where to truncate.
/// </summary>
public sealed class OffsetForLeaderEpochHandler(BrokerServices services) : ApiHandler<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>
{
    public override ApiKey Key => ApiKey.OffsetForLeaderEpoch;

    protected override ValueTask<OffsetForLeaderEpochResponse?> HandleAsync(RequestContext context, OffsetForLeaderEpochRequest request, CancellationToken cancel)
    {
        var response = new OffsetForLeaderEpochResponse();
        foreach (var topic in request.Topics)
        {
            var result = new OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult { Topic = topic.Topic };
            response.Topics.Add(result);
            foreach (var p in topic.Partitions)
            {
                var entry = new OffsetForLeaderEpochResponse.EpochEndOffset { Partition = p.Partition };
                var (partition, error) = LeaderPartitions.Find(services, topic.Topic, p.Partition, p.CurrentLeaderEpoch);
                entry.ErrorCode = (short)error;
                if (partition is not null)
                {
                    try
                    {
                        (entry.LeaderEpoch, entry.EndOffset) = EndOffsetFor(partition, p.LeaderEpoch);
                    }
                    catch (ObjectDisposedException)
                    {
                        entry.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    }
                }
                result.Partitions.Add(entry);
            }
        }
        return ValueTask.FromResult<OffsetForLeaderEpochResponse?>(response);
    }

    /// <summary>
    /// Kafka writes the leader's epoch into the epoch cache when it becomes leader; here an epoch
    /// enters the cache with its first append. So an epoch the cache does not know yet but this node
    /// leads has written nothing: it starts, and ends, at the log end offset.
    /// </summary>
    public static (int Epoch, long EndOffset) EndOffsetFor(Partition partition, int requested)
    {
        var log = partition.Log;
        var current = partition.LeaderEpoch;
        if (requested == LeaderEpochCache.UndefinedEpoch || requested > current)
            return (LeaderEpochCache.UndefinedEpoch, LeaderEpochCache.UndefinedEpochOffset);
        if (requested == current)
            return (current, log.LogEndOffset);
        var found = log.EndOffsetForEpoch(requested);
        if (found.EndOffset != LeaderEpochCache.UndefinedEpochOffset)
            return found;
        // Every cached epoch is at most the requested one: the current epoch is the next, starting at the end.
        var floor = log.LeaderEpochs.Entries.Where(e => e.Epoch <= requested).Select(e => (int?)e.Epoch).LastOrDefault();
        return (floor ?? requested, log.LogEndOffset);
    }
}
