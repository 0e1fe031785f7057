using Broker.Groups;
using Broker.Replication;

namespace Broker.Operations.Metrics;

/// <summary>One committed offset of a group coordinated here, and its lag when the partition's log is hosted here.</summary>
public readonly record struct GroupPartitionLag(string Group, string Topic, int Partition, long Committed, long? Lag);

/// <summary>Consumer lag as kafka-consumer-groups.sh computes it: the partition's high watermark minus the committed offset.</summary>
public static class GroupLag
{
    public static IEnumerable<GroupPartitionLag> Of(GroupCoordinator groups, ReplicaManager replicas)
    {
        foreach (var group in groups.List([], []))
        {
            var (error, offsets) = groups.FetchOffsets(group.GroupId, null);
            if (error != Protocol.ErrorCode.None)
                continue;
            foreach (var (partition, committed) in offsets)
            {
                if (committed is null)
                    continue;
                var local = replicas.Get(partition.Topic, partition.Partition);
                long? lag = local is null ? null : Math.Max(0, local.Log.HighWatermark - committed.Offset);
                yield return new GroupPartitionLag(group.GroupId, partition.Topic, partition.Partition, committed.Offset, lag);
            }
        }
    }
}
