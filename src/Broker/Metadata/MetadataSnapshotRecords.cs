using Broker.Protocol.MetadataRecords;
using Broker.Protocol.Wire;

namespace Broker.Metadata;

/// <summary>
/// A <see cref="MetadataImage"/> written back as the metadata records that rebuild it, for
/// snapshots: replaying them onto an empty image gives an equal image. The next producer id is
/// part of it, so no id is handed out twice after a restart from the snapshot.
/// </summary>
public static class MetadataSnapshotRecords
{
    public static IEnumerable<VersionedRecord> From(MetadataImage image)
    {
        foreach (var (name, level) in image.Features.OrderBy(f => f.Key, StringComparer.Ordinal))
            yield return VersionedRecord.Latest(new FeatureLevelRecord { Name = name, FeatureLevel = level });
        foreach (var broker in image.Brokers.Values.OrderBy(b => b.Id))
        {
            var record = new RegisterBrokerRecord
            {
                BrokerId = broker.Id, BrokerEpoch = broker.Epoch, IncarnationId = broker.IncarnationId, Rack = broker.Rack, Fenced = broker.Fenced,
                InControlledShutdown = broker.InControlledShutdown,
                LogDirs = [.. broker.LogDirs],
            };
            foreach (var e in broker.Endpoints)
                record.EndPoints.Add(new RegisterBrokerRecord.BrokerEndpoint { Name = e.ListenerName, Host = e.Host, Port = (ushort)e.Port, SecurityProtocol = e.SecurityProtocol });
            foreach (var (name, (min, max)) in broker.SupportedFeatures.OrderBy(f => f.Key, StringComparer.Ordinal))
                record.Features.Add(new RegisterBrokerRecord.BrokerFeature { Name = name, MinSupportedVersion = min, MaxSupportedVersion = max });
            yield return VersionedRecord.Latest(record);
            if (broker.OfflineLogDirs.Count > 0)
                yield return VersionedRecord.Latest(new BrokerRegistrationChangeRecord
                {
                    BrokerId = broker.Id, BrokerEpoch = broker.Epoch, LogDirs = broker.OnlineLogDirsRecordValue(broker.OfflineLogDirs),
                });
        }
        foreach (var topic in image.TopicsById.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            yield return VersionedRecord.Latest(new TopicRecord { Name = topic.Name, TopicId = topic.Id });
            foreach (var p in topic.Partitions)
                yield return VersionedRecord.Latest(new PartitionRecord
                {
                    PartitionId = p.PartitionId,
                    TopicId = topic.Id,
                    Replicas = p.Replicas.ToList(),
                    Isr = p.Isr.ToList(),
                    Leader = p.Leader,
                    LeaderEpoch = p.LeaderEpoch,
                    PartitionEpoch = p.PartitionEpoch,
                    AddingReplicas = p.AddingReplicas.ToList(),
                    RemovingReplicas = p.RemovingReplicas.ToList(),
                    LeaderRecoveryState = p.LeaderRecoveryState,
                    Directories = p.Replicas.Select(_ => Uuid.Zero).ToList(),
                });
        }
        foreach (var ((type, resource), configs) in image.Configs.OrderBy(c => (int)c.Key.Type).ThenBy(c => c.Key.Name, StringComparer.Ordinal))
            foreach (var (name, value) in configs.OrderBy(c => c.Key, StringComparer.Ordinal))
                yield return VersionedRecord.Latest(new ConfigRecord { ResourceType = (sbyte)type, ResourceName = resource, Name = name, Value = value });
        if (image.NextProducerId > 0)
            yield return VersionedRecord.Latest(new ProducerIdsRecord { BrokerId = -1, BrokerEpoch = -1, NextProducerId = image.NextProducerId });
    }
}
