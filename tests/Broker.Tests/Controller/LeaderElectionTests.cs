using Broker.Controller;
using Broker.Metadata;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Broker.Tests.Controller;

/// <summary>Unclean elections, ElectLeaders (preferred and unclean) and the move back to preferred leaders.</summary>
public sealed class LeaderElectionTests
{
    private static async Task CreateAsync(ControllerHarness harness, string name, int[] replicas, bool unclean)
    {
        var topic = new CreateTopicsRequest.CreatableTopic { Name = name, NumPartitions = -1, ReplicationFactor = -1 };
        topic.Assignments.Add(new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = 0, BrokerIds = [.. replicas] });
        if (unclean)
            topic.Configs.Add(new CreateTopicsRequest.CreatableTopicConfig { Name = "unclean.leader.election.enable", Value = "true" });
        var created = await harness.Controller.CreateTopicsAsync(new CreateTopicsRequest { Topics = [topic] }, CancellationToken.None);
        Assert.Equal(ErrorCode.None, (ErrorCode)Assert.Single(created.Topics).ErrorCode);
    }

    /// <summary>Brokers 1 and 2; topic "u" on [1, 2] whose ISR the leader shrank to [1].</summary>
    private static async Task<ControllerHarness> OnlyLeaderInSyncAsync(bool unclean)
    {
        var harness = await ControllerHarness.StartAsync();
        await harness.StartBrokersAsync(1, 2);
        await CreateAsync(harness, "u", [1, 2], unclean);
        Assert.Equal(0, (await harness.AlterPartitionAsync(1, "u", 0, [1])).Topics[0].Partitions[0].ErrorCode);
        return harness;
    }

    private static Task<ElectLeadersResponse> ElectAsync(ControllerHarness harness, sbyte type, params (string Topic, int Partition)[] partitions) =>
        harness.Controller.Elections.ElectLeadersAsync(new ElectLeadersRequest
        {
            ElectionType = type,
            TopicPartitions = partitions.Length == 0 ? null : partitions.GroupBy(p => p.Topic)
                .Select(g => new ElectLeadersRequest.TopicPartitionsData { Topic = g.Key, Partitions = g.Select(p => p.Partition).ToList() }).ToList(),
        }, 2, CancellationToken.None);

    private static ErrorCode ErrorOf(ElectLeadersResponse response) =>
        (ErrorCode)Assert.Single(Assert.Single(response.ReplicaElectionResults).PartitionResult).ErrorCode;

    [Fact]
    public async Task Without_unclean_election_a_partition_whose_in_sync_leader_is_fenced_has_no_leader()
    {
        var harness = await OnlyLeaderInSyncAsync(unclean: false);
        await harness.HeartbeatAsync(1, wantFence: true);
        var p = harness.Partition("u", 0);
        Assert.Equal(-1, p.Leader);
        Assert.Equal([1], p.Isr);
        Assert.Equal(PartitionImage.Recovered, p.LeaderRecoveryState);
    }

    [Fact]
    public async Task With_unclean_election_an_out_of_sync_replica_leads_alone_and_recovering()
    {
        var harness = await OnlyLeaderInSyncAsync(unclean: true);
        await harness.HeartbeatAsync(1, wantFence: true);
        var p = harness.Partition("u", 0);
        Assert.Equal((2, 1, PartitionImage.Recovering), (p.Leader, p.LeaderEpoch, p.LeaderRecoveryState));
        Assert.Equal([2], p.Isr);
    }

    [Fact]
    public async Task Turning_unclean_election_on_elects_a_leader_for_a_leaderless_partition_at_once()
    {
        var harness = await OnlyLeaderInSyncAsync(unclean: false);
        await harness.HeartbeatAsync(1, wantFence: true);
        Assert.Equal(-1, harness.Partition("u", 0).Leader);

        await harness.Controller.ChangeConfigsAsync(_ =>
            ((IReadOnlyList<ConfigChange>)[new ConfigChange(ConfigResourceType.Topic, "u", "unclean.leader.election.enable", "true")], true), CancellationToken.None);
        var p = harness.Partition("u", 0);
        Assert.Equal((2, PartitionImage.Recovering), (p.Leader, p.LeaderRecoveryState));
        Assert.Equal([2], p.Isr);
    }

    [Fact]
    public async Task With_unclean_election_a_returning_out_of_sync_replica_leads_when_nobody_in_sync_is_there()
    {
        var harness = await OnlyLeaderInSyncAsync(unclean: true);
        var fenced = await harness.ExpireSessionsAsync();
        Assert.Equal([1, 2], fenced.Order());
        Assert.Equal(-1, harness.Partition("u", 0).Leader);

        await harness.HeartbeatAsync(2);
        var p = harness.Partition("u", 0);
        Assert.Equal((2, PartitionImage.Recovering), (p.Leader, p.LeaderRecoveryState));
    }

    [Fact]
    public async Task The_ticker_work_elects_leaderless_partitions_once_a_replica_can_lead()
    {
        var harness = await OnlyLeaderInSyncAsync(unclean: false);
        await harness.HeartbeatAsync(1, wantFence: true);
        Assert.Equal(0, await harness.Controller.Elections.ElectLeaderlessAsync(CancellationToken.None));
        await harness.HeartbeatAsync(1);
        Assert.Equal(1, harness.Partition("u", 0).Leader);
        Assert.Equal(0, await harness.Controller.Elections.ElectLeaderlessAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Preferred_election_needs_the_preferred_replica_in_sync_and_then_moves_leadership_back()
    {
        var harness = await ControllerHarness.StartAsync();
        await harness.StartBrokersAsync(1, 2);
        await harness.CreateTopicAsync("t", [1, 2]);
        await harness.HeartbeatAsync(1, wantFence: true);
        await harness.HeartbeatAsync(1);
        Assert.Equal(2, harness.Partition("t", 0).Leader);
        Assert.Equal([2], harness.Partition("t", 0).Isr);

        Assert.Equal(ErrorCode.PreferredLeaderNotAvailable, ErrorOf(await ElectAsync(harness, LeaderElections.Preferred, ("t", 0))));

        Assert.Equal(0, (await harness.AlterPartitionAsync(2, "t", 0, [2, 1])).Topics[0].Partitions[0].ErrorCode);
        Assert.Equal(ErrorCode.None, ErrorOf(await ElectAsync(harness, LeaderElections.Preferred, ("t", 0))));
        var p = harness.Partition("t", 0);
        Assert.Equal((1, 2), (p.Leader, p.LeaderEpoch));
        Assert.Equal(ErrorCode.ElectionNotNeeded, ErrorOf(await ElectAsync(harness, LeaderElections.Preferred, ("t", 0))));
    }

    [Fact]
    public async Task Unknown_topics_and_partitions_are_UNKNOWN_TOPIC_OR_PARTITION()
    {
        var harness = await ControllerHarness.StartAsync();
        await harness.StartBrokersAsync(1);
        await harness.CreateTopicAsync("t", [1]);
        var response = await ElectAsync(harness, LeaderElections.Preferred, ("nope", 0), ("t", 3));
        Assert.All(response.ReplicaElectionResults.SelectMany(r => r.PartitionResult),
            r => Assert.Equal(ErrorCode.UnknownTopicOrPartition, (ErrorCode)r.ErrorCode));
        Assert.Equal(2, response.ReplicaElectionResults.Count);
    }

    [Fact]
    public async Task Unclean_election_is_not_needed_with_a_leader_and_impossible_without_a_usable_replica()
    {
        var harness = await OnlyLeaderInSyncAsync(unclean: false);
        Assert.Equal(ErrorCode.ElectionNotNeeded, ErrorOf(await ElectAsync(harness, LeaderElections.Unclean, ("u", 0))));

        await harness.ExpireSessionsAsync();
        Assert.Equal(ErrorCode.EligibleLeadersNotAvailable, ErrorOf(await ElectAsync(harness, LeaderElections.Unclean, ("u", 0))));

        await harness.HeartbeatAsync(2);
        Assert.Equal(-1, harness.Partition("u", 0).Leader);
        Assert.Equal(ErrorCode.None, ErrorOf(await ElectAsync(harness, LeaderElections.Unclean, ("u", 0))));
        Assert.Equal((2, PartitionImage.Recovering), (harness.Partition("u", 0).Leader, harness.Partition("u", 0).LeaderRecoveryState));
    }

    [Fact]
    public async Task Electing_for_all_partitions_reports_only_those_that_needed_an_election()
    {
        var harness = await ControllerHarness.StartAsync();
        await harness.StartBrokersAsync(1, 2);
        await harness.CreateTopicAsync("a", [1, 2]);
        await harness.CreateTopicAsync("b", [2, 1]);
        await harness.HeartbeatAsync(1, wantFence: true);
        await harness.HeartbeatAsync(1);
        Assert.Equal(0, (await harness.AlterPartitionAsync(2, "a", 0, [2, 1])).Topics[0].Partitions[0].ErrorCode);

        var response = await ElectAsync(harness, LeaderElections.Preferred);
        var result = Assert.Single(response.ReplicaElectionResults);
        Assert.Equal("a", result.Topic);
        Assert.Equal(ErrorCode.None, (ErrorCode)Assert.Single(result.PartitionResult).ErrorCode);
        Assert.Equal(1, harness.Partition("a", 0).Leader);
    }

    [Fact]
    public async Task Rebalancing_moves_leadership_back_to_preferred_replicas_that_are_in_sync()
    {
        var harness = await ControllerHarness.StartAsync();
        await harness.StartBrokersAsync(1, 2);
        await harness.CreateTopicAsync("t", [1, 2], [1, 2], [2, 1]);
        await harness.HeartbeatAsync(1, wantFence: true);
        await harness.HeartbeatAsync(1);
        Assert.All(harness.Image.Topic("t")!.Partitions, p => Assert.Equal(2, p.Leader));
        Assert.Equal(0, await harness.Controller.Elections.BalanceLeadersAsync(CancellationToken.None));

        Assert.Equal(0, (await harness.AlterPartitionAsync(2, "t", 0, [2, 1])).Topics[0].Partitions[0].ErrorCode);
        Assert.Equal(1, await harness.Controller.Elections.BalanceLeadersAsync(CancellationToken.None));
        Assert.Equal([1, 2, 2], harness.Image.Topic("t")!.Partitions.Select(p => p.Leader));
    }
}
