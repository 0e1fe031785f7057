using Broker.Metadata;
using Broker.Protocol.MetadataRecords;
using Broker.Protocol.Wire;

namespace Broker.Controller;

/// <summary>
/// The PartitionChangeRecord that turns one partition state into another: only what differs is
/// written (null / -2 / -1 mean unchanged), so every controller decision is expressed as the
/// partition it wants and this single place decides the record.
/// </summary>
public static class PartitionChanges
{
    /// <param name="newLeaderEpoch">Names the leader even when it stays, which starts a new leader epoch (fences removed replicas).</param>
    /// <returns>Null when <paramref name="next"/> equals <paramref name="current"/> and no new epoch is wanted.</returns>
    public static PartitionChangeRecord? Diff(Uuid topicId, PartitionImage current, PartitionImage next, bool newLeaderEpoch = false)
    {
        var change = new PartitionChangeRecord { TopicId = topicId, PartitionId = current.PartitionId };
        var any = false;
        if (next.Leader != current.Leader || newLeaderEpoch)
            (change.Leader, any) = (next.Leader, true);
        if (!next.Isr.SequenceEqual(current.Isr))
            (change.Isr, any) = (next.Isr.ToList(), true);
        if (!next.Replicas.SequenceEqual(current.Replicas))
            (change.Replicas, any) = (next.Replicas.ToList(), true);
        if (!next.AddingReplicas.SequenceEqual(current.AddingReplicas))
            (change.AddingReplicas, any) = (next.AddingReplicas.ToList(), true);
        if (!next.RemovingReplicas.SequenceEqual(current.RemovingReplicas))
            (change.RemovingReplicas, any) = (next.RemovingReplicas.ToList(), true);
        if (next.LeaderRecoveryState != current.LeaderRecoveryState)
            (change.LeaderRecoveryState, any) = (next.LeaderRecoveryState, true);
        return any ? change : null;
    }

    /// <summary><paramref name="next"/> with the epochs the image will give it once <paramref name="change"/> commits, for answers and later changes in the same batch.</summary>
    public static PartitionImage Committed(PartitionImage current, PartitionImage next, PartitionChangeRecord change) => next with
    {
        LeaderEpoch = change.Leader != PartitionLeadership.NoChange ? current.LeaderEpoch + 1 : current.LeaderEpoch,
        PartitionEpoch = current.PartitionEpoch + 1,
    };
}
