using Broker.Config;
using Broker.Groups;
using Broker.Metadata;
using Broker.Operations.Metrics;
using Broker.Protocol.Messages;
using Broker.Raft.Client;
using Broker.Replication;

namespace Broker.Operations.Cluster;

/// <summary>
/// Builds /api/cluster from this node's metadata image, its local logs, the groups it coordinates and
/// its metadata quorum member: nothing is asked of other nodes, so the page costs the cluster nothing.
/// </summary>
public sealed class ClusterView(BrokerConfig config, MetadataCache metadata, ReplicaManager replicas, GroupCoordinator groups,
    RaftClient raft, BrokerMetrics metrics)
{
    public async Task<ClusterSnapshot> SnapshotAsync(CancellationToken cancel)
    {
        var image = metadata.Current;
        var leader = raft.Leader.LeaderId;
        var lags = await QuorumLagsAsync(cancel).ConfigureAwait(false);
        var voters = config.QuorumVoters.Select(v => v.NodeId).ToHashSet();
        var brokers = image.Brokers.Values.OrderBy(b => b.Id).Select(b => new BrokerRow(
            b.Id, b.Rack, b.Fenced, b.Id == leader,
            b.Id == leader ? "leader" : voters.Contains(b.Id) ? "voter" : "observer",
            lags?.GetValueOrDefault(b.Id))).ToList();
        var topics = image.TopicsByName.Values.OrderBy(t => t.IsInternal).ThenBy(t => t.Name, StringComparer.Ordinal).Select(t => new TopicRow(t.Name,
            t.Partitions.Select(p => new PartitionRow(p.PartitionId, p.Leader, [.. p.Replicas], [.. p.Isr],
                p.Isr.Count < p.Replicas.Count, p.Leader < 0, replicas.Get(t.Name, p.PartitionId)?.Log.Size)).ToList())).ToList();
        var lagRows = GroupLag.Of(groups, replicas).ToLookup(l => l.Group, StringComparer.Ordinal);
        var groupRows = groups.List([], []).Select(g => new GroupRow(g.GroupId, g.GroupState, groups.Describe(g.GroupId).Members.Count,
            lagRows[g.GroupId].Select(l => new GroupPartitionRow(l.Topic, l.Partition, l.Committed, l.Lag)).ToList())).ToList();
        var (messagesIn, bytesIn, bytesOut) = metrics.Totals();
        return new ClusterSnapshot(image.ClusterId, config.NodeId, leader, brokers, topics, groupRows,
            new ThroughputTotals(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), messagesIn, bytesIn, bytesOut));
    }

    /// <summary>Each quorum member's distance from the leader's log end, when this node leads the quorum (only the leader tracks it).</summary>
    private async Task<Dictionary<int, long>?> QuorumLagsAsync(CancellationToken cancel)
    {
        if (!raft.IsLeader)
            return null;
        var response = (DescribeQuorumResponse)await raft.HandleRequestAsync(new DescribeQuorumRequest
        {
            Topics = [new() { TopicName = "__cluster_metadata", Partitions = [new() { PartitionIndex = 0 }] }],
        }, cancel).ConfigureAwait(false);
        var partition = response.Topics.FirstOrDefault()?.Partitions.FirstOrDefault();
        if (response.ErrorCode != 0 || partition is null || partition.ErrorCode != 0)
            return null;
        var members = partition.CurrentVoters.Concat(partition.Observers).ToList();
        var end = members.Where(m => m.ReplicaId == partition.LeaderId).Select(m => m.LogEndOffset).DefaultIfEmpty(partition.HighWatermark).Max();
        return members.GroupBy(m => m.ReplicaId).ToDictionary(g => g.Key, g => Math.Max(0, end - g.Max(m => m.LogEndOffset)));
    }
}
