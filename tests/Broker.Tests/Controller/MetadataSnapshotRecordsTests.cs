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
            new PartitionChangeRecord { TopicId = topicA, PartitionId = 0, Replicas = [4, 2, 3], AddingReplicas = [4], RemovingReplicas = [3] },
            new PartitionChangeRecord { TopicId = topicA, PartitionId = 0, Isr = [2], LeaderRecoveryState = 1 },
            new BrokerRegistrationChangeRecord { BrokerId = 2, BrokerEpoch = 7, InControlledShutdown = 1 },
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
            $"broker {b.Id} epoch {b.Epoch} rack {b.Rack} fenced {b.Fenced} shutting down {b.InControlledShutdown} inc {b.IncarnationId} " +
            string.Join(",", b.Endpoints.Select(e => $"{e.ListenerName}:{e.Host}:{e.Port}:{e.SecurityProtocol}")) + " " +
            string.Join(",", b.SupportedFeatures.OrderBy(f => f.Key).Select(f => $"{f.Key}:{f.Value.Min}-{f.Value.Max}"))),
        .. image.TopicsById.Values.OrderBy(t => t.Name).SelectMany(t => t.Partitions.Select(p =>
            $"topic {t.Name} {t.Id} p{p.PartitionId} r[{string.Join(",", p.Replicas)}] isr[{string.Join(",", p.Isr)}] l{p.Leader} le{p.LeaderEpoch} pe{p.PartitionEpoch} " +
            $"adding[{string.Join(",", p.AddingReplicas)}] removing[{string.Join(",", p.RemovingReplicas)}] lrs{p.LeaderRecoveryState}")),
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
        Assert.Contains("p0 r[4,2,3] isr[2] l2 le0 pe2 adding[4] removing[3] lrs1", Describe(replayed));
        Assert.Contains("broker 2 epoch 7 rack r1 fenced False shutting down True", Describe(replayed));
    }

    [Fact]
    public void A_partition_change_leaves_unnamed_fields_as_they_were_and_naming_the_leader_starts_a_new_leader_epoch()
    {
        var image = Build();
        var a = image.Topic("a")!;
        var next = MetadataImageBuilder.Apply(image,
            [new PartitionChangeRecord { TopicId = a.Id, PartitionId = 0, Leader = 2 }], image.Offset + 1);
        var p = next.Topic("a")!.Partitions[0];
        Assert.Equal((2, 1, 3), (p.Leader, p.LeaderEpoch, p.PartitionEpoch));
        Assert.Equal([4, 2, 3], p.Replicas);
        Assert.Equal([4], p.AddingReplicas);
        Assert.Equal([3], p.RemovingReplicas);
        Assert.Equal(1, p.LeaderRecoveryState);

        var done = MetadataImageBuilder.Apply(next,
            [new PartitionChangeRecord { TopicId = a.Id, PartitionId = 0, Replicas = [4, 2], AddingReplicas = [], RemovingReplicas = [], LeaderRecoveryState = 0 }], next.Offset + 1);
        var completed = done.Topic("a")!.Partitions[0];
        Assert.Equal((2, 1, 4, false, 0), (completed.Leader, completed.LeaderEpoch, completed.PartitionEpoch, completed.IsReassigning, (int)completed.LeaderRecoveryState));
        Assert.Equal([4, 2], completed.Replicas);
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
