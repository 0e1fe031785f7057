using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.MetadataRecords;

namespace Broker.Broker.Tests.Controller;

/// <summary>AlterPartitionReassignments and ListPartitionReassignments: start, complete through the leader's AlterPartition, cancel.</summary>
public sealed class ReassignmentTests
{
    /// <summary>Brokers 1-4; topic "t" with one partition on [1, 2, 3] led by 1.</summary>
    private static async Task<ControllerHarness> StartAsync()
    {
        var harness = await ControllerHarness.StartAsync();
        await harness.StartBrokersAsync(1, 2, 3, 4);
        await harness.CreateTopicAsync("t", [1, 2, 3]);
        return harness;
    }

    private static async Task<(ErrorCode Error, string? Message)> ReassignAsync(ControllerHarness harness, string topic, int partition, int[]? replicas)
    {
        var response = await harness.Controller.Reassignments.AlterAsync(new AlterPartitionReassignmentsRequest
        {
            Topics = [new AlterPartitionReassignmentsRequest.ReassignableTopic
            {
                Name = topic, Partitions = [new AlterPartitionReassignmentsRequest.ReassignablePartition { PartitionIndex = partition, Replicas = replicas?.ToList() }],
            }],
        }, CancellationToken.None);
        Assert.Equal(ErrorCode.None, (ErrorCode)response.ErrorCode);
        var result = Assert.Single(Assert.Single(response.Responses).Partitions);
        return ((ErrorCode)result.ErrorCode, result.ErrorMessage);
    }

    private static ListPartitionReassignmentsResponse List(ControllerHarness harness, List<ListPartitionReassignmentsRequest.ListPartitionReassignmentsTopics>? topics = null) =>
        harness.Controller.Reassignments.List(harness.Image, new ListPartitionReassignmentsRequest { Topics = topics });

    [Fact]
    public async Task A_reassignment_adds_the_new_replicas_and_completes_when_the_leader_reports_them_in_sync()
    {
        var harness = await StartAsync();
        Assert.Equal(ErrorCode.None, (await ReassignAsync(harness, "t", 0, [1, 2, 4])).Error);
        var moving = harness.Partition("t", 0);
        Assert.Equal([1, 2, 4, 3], moving.Replicas);
        Assert.Equal([4], moving.AddingReplicas);
        Assert.Equal([3], moving.RemovingReplicas);
        Assert.Equal([1, 2, 3], moving.Isr);
        Assert.Equal((1, 0), (moving.Leader, moving.LeaderEpoch));

        var listed = Assert.Single(Assert.Single(List(harness).Topics).Partitions);
        Assert.Equal([1, 2, 4, 3], listed.Replicas);
        Assert.Equal([4], listed.AddingReplicas);
        Assert.Equal([3], listed.RemovingReplicas);

        var response = await harness.AlterPartitionAsync(1, "t", 0, [1, 2, 3, 4]);
        var answer = Assert.Single(response.Topics[0].Partitions);
        Assert.Equal(ErrorCode.None, (ErrorCode)answer.ErrorCode);
        Assert.Equal([1, 2, 4], answer.Isr);
        var done = harness.Partition("t", 0);
        Assert.Equal([1, 2, 4], done.Replicas);
        Assert.Equal([1, 2, 4], done.Isr);
        Assert.False(done.IsReassigning);
        // Replica 3 left: a new leader epoch fences its fetches.
        Assert.Equal((1, 1), (done.Leader, done.LeaderEpoch));
        Assert.Equal((answer.LeaderEpoch, answer.PartitionEpoch), (done.LeaderEpoch, done.PartitionEpoch));
        Assert.Empty(List(harness).Topics);
    }

    [Fact]
    public async Task A_leader_that_the_reassignment_removes_hands_over_when_it_completes_NEW_LEADER_ELECTED()
    {
        var harness = await StartAsync();
        await ReassignAsync(harness, "t", 0, [4, 2, 3]);
        Assert.Equal(1, harness.Partition("t", 0).Leader);

        var response = await harness.AlterPartitionAsync(1, "t", 0, [1, 2, 3, 4]);
        Assert.Equal(ErrorCode.NewLeaderElected, (ErrorCode)response.Topics[0].Partitions[0].ErrorCode);
        var done = harness.Partition("t", 0);
        Assert.Equal([4, 2, 3], done.Replicas);
        Assert.Equal((4, 1), (done.Leader, done.LeaderEpoch));
        Assert.Equal([2, 3, 4], done.Isr);
    }

    [Fact]
    public async Task A_target_already_in_sync_completes_at_once()
    {
        var harness = await StartAsync();
        Assert.Equal(ErrorCode.None, (await ReassignAsync(harness, "t", 0, [2, 1])).Error);
        var done = harness.Partition("t", 0);
        Assert.Equal([2, 1], done.Replicas);
        Assert.Equal([1, 2], done.Isr);
        Assert.False(done.IsReassigning);
        Assert.Equal(1, done.Leader);
    }

    [Fact]
    public async Task Cancelling_goes_back_to_the_original_replicas_and_without_a_reassignment_is_NO_REASSIGNMENT_IN_PROGRESS()
    {
        var harness = await StartAsync();
        Assert.Equal(ErrorCode.NoReassignmentInProgress, (await ReassignAsync(harness, "t", 0, null)).Error);

        await ReassignAsync(harness, "t", 0, [4, 2, 3]);
        Assert.Equal(ErrorCode.None, (await ReassignAsync(harness, "t", 0, null)).Error);
        var back = harness.Partition("t", 0);
        // As in Kafka, the original replicas are those of the reassignment's list that were not being added, in its order.
        Assert.Equal([2, 3, 1], back.Replicas);
        Assert.False(back.IsReassigning);
        Assert.Equal([1, 2, 3], back.Isr);
        Assert.Equal(1, back.Leader);
        Assert.Empty(List(harness).Topics);
    }

    [Theory]
    [InlineData(new int[0], "empty")]
    [InlineData(new[] { 1, 1, 2 }, "duplicate")]
    [InlineData(new[] { 1, 2, 9 }, "broker 9")]
    public async Task An_invalid_target_is_INVALID_REPLICA_ASSIGNMENT(int[] target, string reason)
    {
        var harness = await StartAsync();
        var (error, message) = await ReassignAsync(harness, "t", 0, target);
        Assert.Equal(ErrorCode.InvalidReplicaAssignment, error);
        Assert.Contains(reason, message);
        Assert.False(harness.Partition("t", 0).IsReassigning);
    }

    [Fact]
    public async Task An_unknown_topic_or_partition_is_UNKNOWN_TOPIC_OR_PARTITION()
    {
        var harness = await StartAsync();
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (await ReassignAsync(harness, "nope", 0, [1])).Error);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (await ReassignAsync(harness, "t", 4, [1])).Error);
    }

    [Fact]
    public async Task Listing_named_partitions_shows_only_those_being_reassigned()
    {
        var harness = await StartAsync();
        await harness.CreateTopicAsync("u", [1, 2], [2, 3]);
        await ReassignAsync(harness, "u", 1, [3, 4]);

        var listed = List(harness, [
            new() { Name = "u", PartitionIndexes = [0, 1] },
            new() { Name = "t", PartitionIndexes = [0] },
            new() { Name = "nope", PartitionIndexes = [0] },
        ]);
        var topic = Assert.Single(listed.Topics);
        Assert.Equal("u", topic.Name);
        Assert.Equal(1, Assert.Single(topic.Partitions).PartitionIndex);
    }

    [Fact]
    public async Task Starting_a_reassignment_writes_one_partition_change_with_the_replica_sets()
    {
        var harness = await StartAsync();
        await ReassignAsync(harness, "t", 0, [4, 3, 2]);
        var record = Assert.IsType<PartitionChangeRecord>(harness.Log.Records.Last());
        Assert.Equal([4, 3, 2, 1], record.Replicas!);
        Assert.Equal([4], record.AddingReplicas!);
        Assert.Equal([1], record.RemovingReplicas!);
        Assert.Null(record.Isr);
        Assert.Equal(-2, record.Leader);
    }
}
