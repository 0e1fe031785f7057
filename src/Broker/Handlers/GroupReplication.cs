using Broker.Groups;
using Broker.Hosting;
using Broker.Protocol;

namespace Broker.Handlers;

/// <summary>
/// What the group coordinator writes to __consumer_offsets (offset commits, the assignment of a
/// generation, deletions) is acknowledged only once it is replicated to the coordinator partition's
/// ISR, within <c>offsets.commit.timeout.ms</c>, as Kafka's coordinator appends with acks=all: what a
/// client was told survives the death of its coordinator's broker.
/// </summary>
public static class GroupReplication
{
    /// <summary>Waits until the high watermark of <paramref name="groupId"/>'s partition covers what it holds now (the write just appended).</summary>
    public static async Task<ErrorCode> WaitAsync(BrokerServices services, string groupId, CancellationToken cancel)
    {
        var partitions = services.Metadata.Current.Topic(ReplicaGroupLog.Topic)?.Partitions.Count ?? 0;
        if (partitions == 0)
            return ErrorCode.None;
        var hosted = services.Replicas.Get(ReplicaGroupLog.Topic, FindCoordinatorHandler.PartitionFor(groupId, partitions));
        if (hosted is null)
            return ErrorCode.None;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(services.Config.GetInt("offsets.commit.timeout.ms")));
        return await hosted.WaitForAcksAsync(hosted.Log.LogEndOffset, hosted.LeaderEpoch, timeout.Token).ConfigureAwait(false);
    }
}
