using System.Collections.Immutable;
using Broker.Protocol.MetadataRecords;
using Broker.Protocol.Wire;

namespace Broker.Metadata;

/// <summary>
/// Applies committed metadata records to an image, producing the next image. Records it does not
/// model yet (ACLs, quotas, delegation tokens…) pass through without effect, as on a broker that
/// does not use those features.
/// </summary>
public static class MetadataImageBuilder
{
    public static MetadataImage Apply(MetadataImage image, IEnumerable<IKafkaMessage> records, long lastOffset)
    {
        var topicsByName = image.TopicsByName.ToBuilder();
        var topicsById = image.TopicsById.ToBuilder();
        var brokers = image.Brokers.ToBuilder();
        var configs = image.Configs.ToBuilder();
        var features = image.Features.ToBuilder();
        var nextProducerId = image.NextProducerId;

        void PutTopic(TopicImage topic)
        {
            topicsByName[topic.Name] = topic;
            topicsById[topic.Id] = topic;
        }

        foreach (var record in records)
        {
            switch (record)
            {
                case TopicRecord t:
                    PutTopic(new TopicImage(t.Name, t.TopicId, []));
                    break;
                case PartitionRecord p when topicsById.TryGetValue(p.TopicId, out var topic):
                    PutTopic(topic with { Partitions = WithPartition(topic.Partitions, new PartitionImage(
                        p.PartitionId, p.Replicas, p.Isr, p.Leader, p.LeaderEpoch, p.PartitionEpoch)
                    {
                        AddingReplicas = p.AddingReplicas, RemovingReplicas = p.RemovingReplicas, LeaderRecoveryState = p.LeaderRecoveryState,
                    }) });
                    break;
                case PartitionChangeRecord c when topicsById.TryGetValue(c.TopicId, out var topic):
                    var old = topic.Partitions.FirstOrDefault(x => x.PartitionId == c.PartitionId);
                    if (old is null)
                        break;
                    // As in Kafka, a record that names a leader (even the same one) starts a new leader epoch:
                    // the controller does so to fence replicas a reassignment removed. Null fields are unchanged.
                    var leaderNamed = c.Leader != -2;
                    var changed = old with
                    {
                        Replicas = c.Replicas ?? old.Replicas,
                        Isr = c.Isr ?? old.Isr,
                        Leader = leaderNamed ? c.Leader : old.Leader,
                        LeaderEpoch = leaderNamed ? old.LeaderEpoch + 1 : old.LeaderEpoch,
                        PartitionEpoch = old.PartitionEpoch + 1,
                        AddingReplicas = c.AddingReplicas ?? old.AddingReplicas,
                        RemovingReplicas = c.RemovingReplicas ?? old.RemovingReplicas,
                        LeaderRecoveryState = c.LeaderRecoveryState == -1 ? old.LeaderRecoveryState : c.LeaderRecoveryState,
                    };
                    PutTopic(topic with { Partitions = WithPartition(topic.Partitions, changed) });
                    break;
                case RemoveTopicRecord r when topicsById.TryGetValue(r.TopicId, out var topic):
                    topicsById.Remove(r.TopicId);
                    topicsByName.Remove(topic.Name);
                    configs.Remove((ConfigResourceType.Topic, topic.Name));
                    break;
                case ConfigRecord cfg:
                    var key = ((ConfigResourceType)cfg.ResourceType, cfg.ResourceName);
                    var current = configs.GetValueOrDefault(key) ?? ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);
                    current = cfg.Value is null ? current.Remove(cfg.Name) : current.SetItem(cfg.Name, cfg.Value);
                    if (current.IsEmpty) configs.Remove(key);
                    else configs[key] = current;
                    break;
                case RegisterBrokerRecord b:
                    brokers[b.BrokerId] = new BrokerImage(b.BrokerId, b.BrokerEpoch,
                        b.EndPoints.Select(e => new BrokerEndpoint(e.Name, e.Host, e.Port, e.SecurityProtocol)).ToArray(),
                        b.Rack, b.Fenced, b.IncarnationId)
                    {
                        InControlledShutdown = b.InControlledShutdown,
                        LogDirs = b.LogDirs.ToArray(),
                        SupportedFeatures = b.Features.ToDictionary(f => f.Name, f => (f.MinSupportedVersion, f.MaxSupportedVersion), StringComparer.Ordinal),
                    };
                    break;
                case UnregisterBrokerRecord u:
                    brokers.Remove(u.BrokerId);
                    break;
                case FenceBrokerRecord f when brokers.TryGetValue(f.Id, out var broker):
                    brokers[f.Id] = broker with { Fenced = true };
                    break;
                case UnfenceBrokerRecord f when brokers.TryGetValue(f.Id, out var broker):
                    brokers[f.Id] = broker with { Fenced = false };
                    break;
                case BrokerRegistrationChangeRecord change when brokers.TryGetValue(change.BrokerId, out var broker):
                    // Fenced: 1 = fenced, -1 = unfenced, 0 = unchanged. InControlledShutdown: 1 = entered, 0 = unchanged.
                    if (change.Fenced != 0)
                        broker = broker with { Fenced = change.Fenced > 0 };
                    if (change.InControlledShutdown == 1)
                        broker = broker with { InControlledShutdown = true };
                    // LogDirs (tagged, v2+) lists the directories still online; absent means unchanged.
                    if (change.LogDirs.Count > 0)
                        broker = broker with { OfflineLogDirs = broker.LogDirs.Except(change.LogDirs).ToArray() };
                    brokers[change.BrokerId] = broker;
                    break;
                case FeatureLevelRecord level:
                    if (level.FeatureLevel == 0) features.Remove(level.Name);
                    else features[level.Name] = level.FeatureLevel;
                    break;
                case ProducerIdsRecord ids:
                    nextProducerId = Math.Max(nextProducerId, ids.NextProducerId);
                    break;
            }
        }

        return image with
        {
            Offset = lastOffset,
            TopicsByName = topicsByName.ToImmutable(),
            TopicsById = topicsById.ToImmutable(),
            Brokers = brokers.ToImmutable(),
            Configs = configs.ToImmutable(),
            Features = features.ToImmutable(),
            NextProducerId = nextProducerId,
        };
    }

    /// <summary>
    /// Partition ids are dense (0..n-1), so a partition is updated by index or appended: O(log n) per
    /// record rather than a re-sort, which matters when one topic has thousands of partitions.
    /// </summary>
    private static IReadOnlyList<PartitionImage> WithPartition(IReadOnlyList<PartitionImage> partitions, PartitionImage partition)
    {
        var list = partitions as ImmutableList<PartitionImage> ?? ImmutableList.CreateRange(partitions);
        var id = partition.PartitionId;
        if (id < list.Count && list[id].PartitionId == id)
            return list.SetItem(id, partition);
        if (id == list.Count)
            return list.Add(partition);
        return ImmutableList.CreateRange(list.Where(p => p.PartitionId != id).Append(partition).OrderBy(p => p.PartitionId));
    }
}
