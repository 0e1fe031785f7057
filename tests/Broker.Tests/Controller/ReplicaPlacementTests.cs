using Broker.Controller;
using Broker.Metadata;
using Broker.Protocol;

namespace Broker.Broker.Tests.Controller;

/// <summary>Where new replicas go: spread over usable brokers and racks, and Kafka's errors when they cannot be.</summary>
public sealed class ReplicaPlacementTests
{
    private static BrokerImage Broker(int id, string? rack = null) => new(id, 1, [], rack, false);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void Replicas_land_on_distinct_racks_while_racks_last_and_leaders_rotate(int start)
    {
        BrokerImage[] brokers = [Broker(1, "a"), Broker(2, "a"), Broker(3, "b"), Broker(4, "b"), Broker(5, "c"), Broker(6, "c")];
        var assignment = ReplicaPlacement.Place(brokers, 0, 12, 3, start);

        var rackOf = brokers.ToDictionary(b => b.Id, b => b.Rack);
        Assert.All(assignment, replicas => Assert.Equal(3, replicas.Select(r => rackOf[r]).Distinct().Count()));
        Assert.All(assignment.GroupBy(r => r[0]), leaders => Assert.Equal(2, leaders.Count()));
    }

    [Fact]
    public void With_fewer_racks_than_replicas_every_rack_is_used_before_one_repeats()
    {
        BrokerImage[] brokers = [Broker(1, "a"), Broker(2, "a"), Broker(3, "a"), Broker(4, "b")];
        var assignment = ReplicaPlacement.Place(brokers, 0, 8, 3, 0);
        Assert.All(assignment, replicas =>
        {
            Assert.Equal(3, replicas.Distinct().Count());
            Assert.Contains(4, replicas);
        });
    }

    [Fact]
    public void Without_racks_it_is_round_robin()
    {
        BrokerImage[] brokers = [Broker(1), Broker(2), Broker(3)];
        var assignment = ReplicaPlacement.Place(brokers, 0, 3, 2, 0);
        Assert.Equal([[1, 2], [2, 3], [3, 1]], assignment.Select(a => a.ToArray()).ToArray());
    }

    [Fact]
    public async Task A_topic_with_more_replicas_than_usable_brokers_is_refused_with_kafkas_message()
    {
        var harness = await ControllerHarness.StartAsync();
        await harness.StartBrokersAsync(1, 2);
        var result = await harness.CreateTopicAsync("wide", 3, 3);
        Assert.Equal(ErrorCode.InvalidReplicationFactor, (ErrorCode)result.ErrorCode);
        Assert.Equal("Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 2 broker(s) are registered.", result.ErrorMessage);
    }

    [Fact]
    public async Task A_new_topic_gets_leader_first_replica_isr_all_replicas_and_epoch_zero()
    {
        var harness = await ControllerHarness.StartAsync();
        await harness.StartBrokersAsync((1, "a"), (2, "b"), (3, "c"));
        Assert.Equal(ErrorCode.None, (ErrorCode)(await harness.CreateTopicAsync("rf3", 6, 3)).ErrorCode);
        Assert.All(harness.Image.Topic("rf3")!.Partitions, p =>
        {
            Assert.Equal([1, 2, 3], p.Replicas.Order());
            Assert.Equal(p.Replicas, p.Isr);
            Assert.Equal((p.Replicas[0], 0, 0), (p.Leader, p.LeaderEpoch, p.PartitionEpoch));
        });
    }

    [Fact]
    public async Task Manual_assignments_are_kept_and_refused_when_every_listed_broker_is_fenced_or_unknown()
    {
        var harness = await ControllerHarness.StartAsync();
        await harness.StartBrokersAsync(1, 2);
        await harness.RegisterAsync(3);

        Assert.Equal(ErrorCode.None, (ErrorCode)(await harness.CreateTopicAsync("manual", [2, 1], [1, 3])).ErrorCode);
        Assert.Equal([2, 1], harness.Partition("manual", 0).Replicas);
        var withFenced = harness.Partition("manual", 1);
        Assert.Equal([1, 3], withFenced.Replicas);
        Assert.Equal(1, withFenced.Leader);
        Assert.Equal([1], withFenced.Isr);

        var fenced = await harness.CreateTopicAsync("fenced", [3]);
        Assert.Equal(ErrorCode.InvalidReplicaAssignment, (ErrorCode)fenced.ErrorCode);
        Assert.Contains("fenced or in controlled shutdown", fenced.ErrorMessage);
        Assert.Equal(ErrorCode.InvalidReplicaAssignment, (ErrorCode)(await harness.CreateTopicAsync("unknown", [9])).ErrorCode);
    }
}
