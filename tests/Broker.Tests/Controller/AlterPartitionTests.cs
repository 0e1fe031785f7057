using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.MetadataRecords;
using Broker.Protocol.Wire;

namespace Broker.Broker.Tests.Controller;

/// <summary>AlterPartition as Kafka's controller answers it: each refusal with its error code, and the ISR changes it commits.</summary>
public sealed class AlterPartitionTests
{
    /// <summary>Brokers 1-3 unfenced; topic "t" with one partition on [1, 2, 3], led by 1, all in sync.</summary>
    private static async Task<ControllerHarness> StartAsync()
    {
        var harness = await ControllerHarness.StartAsync();
        await harness.StartBrokersAsync(1, 2, 3);
        Assert.Equal(ErrorCode.None, (ErrorCode)(await harness.CreateTopicAsync("t", [1, 2, 3])).ErrorCode);
        return harness;
    }

    private static AlterPartitionResponse.PartitionData Only(AlterPartitionResponse response)
    {
        Assert.Equal(ErrorCode.None, (ErrorCode)response.ErrorCode);
        return Assert.Single(Assert.Single(response.Topics).Partitions);
    }

    private static ErrorCode ErrorOf(AlterPartitionResponse response) => (ErrorCode)Only(response).ErrorCode;

    [Fact]
    public async Task The_leader_shrinks_and_expands_the_isr_each_change_a_new_partition_epoch_with_the_same_leader_epoch()
    {
        var harness = await StartAsync();

        var shrunk = Only(await harness.AlterPartitionAsync(1, "t", 0, [1, 2]));
        Assert.Equal((ErrorCode.None, 1, 0, 1, (sbyte)0), ((ErrorCode)shrunk.ErrorCode, shrunk.LeaderId, shrunk.LeaderEpoch, shrunk.PartitionEpoch, shrunk.LeaderRecoveryState));
        Assert.Equal([1, 2], shrunk.Isr);
        var record = Assert.IsType<PartitionChangeRecord>(harness.Log.Records.Last());
        Assert.Equal(-2, record.Leader);
        Assert.Equal([1, 2], record.Isr!);
        Assert.Null(record.Replicas);
        Assert.Equal([1, 2], harness.Partition("t", 0).Isr);

        var expanded = Only(await harness.AlterPartitionAsync(1, "t", 0, [1, 2, 3]));
        Assert.Equal((0, 2), (expanded.LeaderEpoch, expanded.PartitionEpoch));
        Assert.Equal([1, 2, 3], harness.Partition("t", 0).Isr);
        Assert.Equal((0, 2), (harness.Partition("t", 0).LeaderEpoch, harness.Partition("t", 0).PartitionEpoch));
    }

    [Fact]
    public async Task An_unchanged_isr_commits_nothing_and_answers_the_current_state()
    {
        var harness = await StartAsync();
        var offset = harness.Image.Offset;
        var same = Only(await harness.AlterPartitionAsync(1, "t", 0, [1, 2, 3]));
        Assert.Equal((ErrorCode.None, 0), ((ErrorCode)same.ErrorCode, same.PartitionEpoch));
        Assert.Equal(offset, harness.Image.Offset);
    }

    [Fact]
    public async Task A_sender_whose_broker_epoch_is_not_current_gets_STALE_BROKER_EPOCH()
    {
        var harness = await StartAsync();
        var stale = await harness.AlterPartitionAsync(1, "t", 0, [1, 2], brokerEpoch: harness.Broker(1).Epoch - 1);
        Assert.Equal(ErrorCode.StaleBrokerEpoch, (ErrorCode)stale.ErrorCode);
        Assert.Equal(ErrorCode.StaleBrokerEpoch, (ErrorCode)(await harness.AlterPartitionAsync(7, "t", 0, [1, 2], brokerEpoch: 5)).ErrorCode);
        Assert.Equal([1, 2, 3], harness.Partition("t", 0).Isr);
    }

    [Fact]
    public async Task An_unknown_topic_is_UNKNOWN_TOPIC_ID_from_v2_and_UNKNOWN_TOPIC_OR_PARTITION_before()
    {
        var harness = await StartAsync();
        AlterPartitionRequest Request(string name, Uuid id) => new()
        {
            BrokerId = 1, BrokerEpoch = harness.Broker(1).Epoch,
            Topics = [new AlterPartitionRequest.TopicData { TopicName = name, TopicId = id, Partitions = [new AlterPartitionRequest.PartitionData { PartitionIndex = 0, NewIsr = [1] }] }],
        };
        var byId = await harness.Controller.Isr.AlterPartitionAsync(Request("", Uuid.Random()), 2, CancellationToken.None);
        Assert.Equal(ErrorCode.UnknownTopicId, ErrorOf(byId));
        var byName = await harness.Controller.Isr.AlterPartitionAsync(Request("nope", Uuid.Zero), 1, CancellationToken.None);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, ErrorOf(byName));
    }

    [Fact]
    public async Task An_unknown_partition_is_UNKNOWN_TOPIC_OR_PARTITION()
    {
        var harness = await StartAsync();
        var request = new AlterPartitionRequest
        {
            BrokerId = 1, BrokerEpoch = harness.Broker(1).Epoch,
            Topics = [new AlterPartitionRequest.TopicData { TopicId = harness.Image.Topic("t")!.Id, Partitions = [new AlterPartitionRequest.PartitionData { PartitionIndex = 5 }] }],
        };
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, ErrorOf(await harness.Controller.Isr.AlterPartitionAsync(request, 3, CancellationToken.None)));
    }

    [Fact]
    public async Task A_request_from_an_older_leader_epoch_is_FENCED_LEADER_EPOCH()
    {
        var harness = await StartAsync();
        await harness.HeartbeatAsync(1, wantFence: true);
        Assert.Equal((2, 1), (harness.Partition("t", 0).Leader, harness.Partition("t", 0).LeaderEpoch));

        Assert.Equal(ErrorCode.FencedLeaderEpoch, ErrorOf(await harness.AlterPartitionAsync(2, "t", 0, [2], leaderEpoch: 0)));
    }

    [Fact]
    public async Task Epochs_ahead_of_the_controller_are_NOT_CONTROLLER()
    {
        var harness = await StartAsync();
        Assert.Equal(ErrorCode.NotController, ErrorOf(await harness.AlterPartitionAsync(1, "t", 0, [1, 2], leaderEpoch: 1)));
        Assert.Equal(ErrorCode.NotController, ErrorOf(await harness.AlterPartitionAsync(1, "t", 0, [1, 2], partitionEpoch: 1)));
    }

    [Fact]
    public async Task A_sender_that_is_not_the_leader_is_INVALID_REQUEST()
    {
        var harness = await StartAsync();
        Assert.Equal(ErrorCode.InvalidRequest, ErrorOf(await harness.AlterPartitionAsync(2, "t", 0, [2, 3])));
        Assert.Equal([1, 2, 3], harness.Partition("t", 0).Isr);
    }

    [Fact]
    public async Task A_request_based_on_an_older_partition_epoch_is_INVALID_UPDATE_VERSION()
    {
        var harness = await StartAsync();
        Only(await harness.AlterPartitionAsync(1, "t", 0, [1, 2]));
        Assert.Equal(ErrorCode.InvalidUpdateVersion, ErrorOf(await harness.AlterPartitionAsync(1, "t", 0, [1], partitionEpoch: 0)));
        Assert.Equal([1, 2], harness.Partition("t", 0).Isr);
    }

    [Theory]
    [InlineData(new[] { 2, 3 })]     // without the leader
    [InlineData(new[] { 1, 4 })]     // 4 is not a replica
    [InlineData(new[] { 1, 2, 2 })]  // a duplicate
    [InlineData(new int[0])]
    public async Task An_isr_that_is_not_a_set_of_replicas_holding_the_leader_is_INVALID_REQUEST(int[] isr)
    {
        var harness = await StartAsync();
        await harness.StartBrokersAsync(4);
        Assert.Equal(ErrorCode.InvalidRequest, ErrorOf(await harness.AlterPartitionAsync(1, "t", 0, isr)));
    }

    [Fact]
    public async Task A_fenced_replica_cannot_join_the_isr_INELIGIBLE_REPLICA_or_OPERATION_NOT_ATTEMPTED_before_v2()
    {
        var harness = await StartAsync();
        await harness.ExpireSessionsAsync(1, 2);
        Assert.True(harness.Broker(3).Fenced);
        Assert.Equal([1, 2], harness.Partition("t", 0).Isr);

        Assert.Equal(ErrorCode.IneligibleReplica, ErrorOf(await harness.AlterPartitionAsync(1, "t", 0, [1, 2, 3])));
        Assert.Equal(ErrorCode.OperationNotAttempted, ErrorOf(await harness.AlterPartitionAsync(1, "t", 0, [1, 2, 3], version: 1)));
        Assert.Equal([1, 2], harness.Partition("t", 0).Isr);
    }

    [Fact]
    public async Task A_replica_in_controlled_shutdown_cannot_join_the_isr()
    {
        var harness = await StartAsync();
        Only(await harness.AlterPartitionAsync(1, "t", 0, [1, 2]));
        await harness.HeartbeatAsync(3, wantShutDown: true);
        Assert.True(harness.Broker(3).InControlledShutdown);
        Assert.Equal(ErrorCode.IneligibleReplica, ErrorOf(await harness.AlterPartitionAsync(1, "t", 0, [1, 2, 3])));
    }

    [Fact]
    public async Task An_unregistered_replica_cannot_join_the_isr()
    {
        var harness = await StartAsync();
        await harness.Controller.Brokers.UnregisterAsync(3, CancellationToken.None);
        Assert.Equal([1, 2], harness.Partition("t", 0).Isr);
        Assert.Equal(ErrorCode.IneligibleReplica, ErrorOf(await harness.AlterPartitionAsync(1, "t", 0, [1, 2, 3])));
    }

    [Fact]
    public async Task From_v3_a_member_whose_broker_epoch_changed_since_the_leader_saw_it_is_INELIGIBLE_REPLICA()
    {
        var harness = await StartAsync();
        Only(await harness.AlterPartitionAsync(1, "t", 0, [1, 2]));
        var old = harness.Broker(3).Epoch;
        // Broker 3 restarts (a new incarnation, a new epoch) while the leader still has its old fetch state.
        await harness.ExpireSessionsAsync(1, 2);
        await harness.RegisterAsync(3);
        await harness.HeartbeatAsync(3);
        Assert.NotEqual(old, harness.Broker(3).Epoch);

        var stale = new Dictionary<int, long> { [3] = old };
        Assert.Equal(ErrorCode.IneligibleReplica, ErrorOf(await harness.AlterPartitionAsync(1, "t", 0, [1, 2, 3], memberEpochs: stale)));
        // v2 carries no member epochs: nothing to compare.
        Assert.Equal(ErrorCode.None, ErrorOf(await harness.AlterPartitionAsync(1, "t", 0, [1, 2, 3], version: 2)));
    }

    [Fact]
    public async Task A_recovered_partition_cannot_go_back_to_recovering_nor_recover_with_followers_in_sync()
    {
        var harness = await StartAsync();
        Assert.Equal(ErrorCode.InvalidRequest, ErrorOf(await harness.AlterPartitionAsync(1, "t", 0, [1], recoveryState: 1)));
        Assert.Equal(ErrorCode.InvalidRequest, ErrorOf(await harness.AlterPartitionAsync(1, "t", 0, [1, 2], recoveryState: 1)));
    }

    [Fact]
    public async Task An_uncleanly_elected_leader_reports_its_log_recovered()
    {
        var harness = await ControllerHarness.StartAsync();
        await harness.StartBrokersAsync(1, 2);
        await harness.CreateTopicAsync("u", [1, 2]);
        Only(await harness.AlterPartitionAsync(1, "u", 0, [1]));
        await harness.HeartbeatAsync(1, wantFence: true);
        Assert.Equal(-1, harness.Partition("u", 0).Leader);
        var elect = await harness.Controller.Elections.ElectLeadersAsync(new ElectLeadersRequest
        {
            ElectionType = 1, TopicPartitions = [new ElectLeadersRequest.TopicPartitionsData { Topic = "u", Partitions = [0] }],
        }, 2, CancellationToken.None);
        Assert.Equal(ErrorCode.None, (ErrorCode)Assert.Single(Assert.Single(elect.ReplicaElectionResults).PartitionResult).ErrorCode);
        var recovering = harness.Partition("u", 0);
        Assert.Equal((2, (sbyte)1), (recovering.Leader, recovering.LeaderRecoveryState));
        Assert.Equal([2], recovering.Isr);

        Assert.Equal(ErrorCode.InvalidRequest, ErrorOf(await harness.AlterPartitionAsync(2, "u", 0, [2, 1], recoveryState: 1)));
        var recovered = Only(await harness.AlterPartitionAsync(2, "u", 0, [2], recoveryState: 0));
        Assert.Equal((ErrorCode.None, (sbyte)0), ((ErrorCode)recovered.ErrorCode, recovered.LeaderRecoveryState));
        Assert.Equal(0, harness.Partition("u", 0).LeaderRecoveryState);
    }
}
