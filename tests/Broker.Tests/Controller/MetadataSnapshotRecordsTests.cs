using Broker.Metadata;
using Broker.Protocol.MetadataRecords;
using Broker.Protocol.Wire;

namespace Broker.Tests.Controller;

public class MetadataSnapshotRecordsTests
{
    private static MetadataImage Build()
    {
        var topicA = Uuid.Random();
        var topicB = Uuid.Random();
        var register = new RegisterBrokerRecord { BrokerId = 2, BrokerEpoch = 7, IncarnationId = Uuid.Random(), Rack = "r1", Fenced = false };
        register.EndPoints.Add(new RegisterBrokerRecord.BrokerEndpoint { Name = "PLAINTEXT", Host = "h2", Port = 9092, SecurityProtocol = 0 });
        register.Features.Add(new RegisterBrokerRecord.BrokerFeature { Name = "metadata.version", MinSupportedVersion = 1, MaxSupportedVersion = 21 });
        IKafkaMessage[] records =
        [
            new FeatureLevelRecord { Name = "metadata.version", FeatureLevel = 21 },
            register,
            new RegisterBrokerRecord { BrokerId = 3, BrokerEpoch = 9, IncarnationId = Uuid.Random(), Fenced = true },
            new TopicRecord { Name = "a", TopicId = topicA },
            new PartitionRecord { TopicId = topicA, PartitionId = 0, Replicas = [2, 3], Isr = [2, 3], Leader = 2, LeaderEpoch = 0, PartitionEpoch = 0 },
            new PartitionRecord { TopicId = topicA, PartitionId = 1, Replicas = [3, 2], Isr = [3, 2], Leader = 3, LeaderEpoch = 0, PartitionEpoch = 0 },
            new PartitionChangeRecord { TopicId = topicA, PartitionId = 1, Isr = [2], Leader = 2 },
            new TopicRecord { Name = "b", TopicId = topicB },
            new PartitionRecord { TopicId = topicB, PartitionId = 0, Replicas = [2], Isr = [2], Leader = 2 },
            new ConfigRecord { ResourceType = (sbyte)ConfigResourceType.Topic, ResourceName = "a", Name = "retention.ms", Value = "1000" },
            new ConfigRecord { ResourceType = (sbyte)ConfigResourceType.Broker, ResourceName = "", Name = "log.retention.ms", Value = "5" },
            new ProducerIdsRecord { BrokerId = 2, BrokerEpoch = 7, NextProducerId = 3000 },
        ];
        return MetadataImageBuilder.Apply(MetadataImage.Empty("cluster"), records, 41);
    }

    private static string Describe(MetadataImage image) => string.Join("\n",
    [
        .. image.Features.OrderBy(f => f.Key).Select(f => $"feature {f.Key}={f.Value}"),
        .. image.Brokers.Values.OrderBy(b => b.Id).Select(b =>
            $"broker {b.Id} epoch {b.Epoch} rack {b.Rack} fenced {b.Fenced} inc {b.IncarnationId} " +
            string.Join(",", b.Endpoints.Select(e => $"{e.ListenerName}:{e.Host}:{e.Port}:{e.SecurityProtocol}")) + " " +
            string.Join(",", b.SupportedFeatures.OrderBy(f => f.Key).Select(f => $"{f.Key}:{f.Value.Min}-{f.Value.Max}"))),
        .. image.TopicsById.Values.OrderBy(t => t.Name).SelectMany(t => t.Partitions.Select(p =>
            $"topic {t.Name} {t.Id} p{p.PartitionId} r[{string.Join(",", p.Replicas)}] isr[{string.Join(",", p.Isr)}] l{p.Leader} le{p.LeaderEpoch} pe{p.PartitionEpoch}")),
        .. image.Configs.OrderBy(c => c.Key.Name).SelectMany(c => c.Value.OrderBy(v => v.Key).Select(v => $"config {c.Key.Type}/{c.Key.Name} {v.Key}={v.Value}")),
        $"next producer id {image.NextProducerId}",
    ]);

    [Fact]
    public void An_image_written_as_snapshot_records_and_replayed_is_the_same_image()
    {
        var image = Build();
        var records = MetadataSnapshotRecords.From(image).ToList();
        var replayed = MetadataImageBuilder.Apply(MetadataImage.Empty("cluster"), records.Select(r => r.Record), image.Offset);
        Assert.Equal(Describe(image), Describe(replayed));
        Assert.Contains("next producer id 3000", Describe(replayed));
        Assert.Contains("isr[2] l2 le1 pe1", Describe(replayed));
    }

    [Fact]
    public void Snapshot_records_survive_serialization()
    {
        var image = Build();
        using var buffer = new PooledBufferWriter(256);
        var decoded = MetadataSnapshotRecords.From(image).Select(r =>
        {
            buffer.Reset();
            MetadataRecordSerde.Write(r, new KafkaWriter(buffer));
            return MetadataRecordSerde.Read(buffer.ToArray()).Record;
        }).ToList();
        Assert.Equal(Describe(image), Describe(MetadataImageBuilder.Apply(MetadataImage.Empty("cluster"), decoded, image.Offset)));
    }
}
