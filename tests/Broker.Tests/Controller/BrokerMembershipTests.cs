using Broker.Protocol;
using Broker.Protocol.MetadataRecords;
using Broker.Protocol.Wire;

namespace Broker.Broker.Tests.Controller;

/// <summary>Registration, heartbeats, fencing, controlled shutdown and unregistration, on a manual clock.</summary>
public sealed class BrokerMembershipTests
{
    [Fact]
    public async Task Registration_epoch_is_the_offset_of_the_register_record_and_the_broker_starts_fenced()
    {
        var harness = await ControllerHarness.StartAsync();
        var incarnation = Uuid.Random();
        var epoch = await harness.RegisterAsync(2, "rack-a", incarnation);

        Assert.Equal(harness.Image.Offset, epoch);
        var record = Assert.IsType<RegisterBrokerRecord>(harness.Log.Records.Last());
        Assert.Equal((2, epoch, true, "rack-a"), (record.BrokerId, record.BrokerEpoch, record.Fenced, record.Rack));
        var broker = harness.Broker(2);
        Assert.True(broker.Fenced);
        Assert.Equal(incarnation, broker.IncarnationId);
        Assert.Equal(19002, Assert.Single(broker.Endpoints).Port);
    }

    [Fact]
    public async Task A_heartbeat_unfences_the_broker_only_once_it_has_caught_up_with_its_registration()
    {
        var harness = await ControllerHarness.StartAsync();
        var epoch = await harness.RegisterAsync(2);

        var behind = await harness.HeartbeatAsync(2, offset: epoch - 1);
        Assert.Equal((ErrorCode.None, false, true), (behind.Error, behind.IsCaughtUp, behind.IsFenced));
        Assert.True(harness.Broker(2).Fenced);

        var caughtUp = await harness.HeartbeatAsync(2, offset: epoch);
        Assert.Equal((ErrorCode.None, true, false, false), (caughtUp.Error, caughtUp.IsCaughtUp, caughtUp.IsFenced, caughtUp.ShouldShutDown));
        Assert.False(harness.Broker(2).Fenced);
        var change = Assert.IsType<BrokerRegistrationChangeRecord>(harness.Log.Records.Last());
        Assert.Equal((2, epoch, (sbyte)-1), (change.BrokerId, change.BrokerEpoch, change.Fenced));
    }

    [Fact]
    public async Task Heartbeats_with_an_old_epoch_or_from_an_unknown_broker_are_refused()
    {
        var harness = await ControllerHarness.StartAsync();
        var first = await harness.RegisterAsync(2);
        await harness.RegisterAsync(2);

        Assert.Equal(ErrorCode.StaleBrokerEpoch, (await harness.HeartbeatAsync(2, epoch: first)).Error);
        Assert.Equal(ErrorCode.BrokerIdNotRegistered, (await harness.HeartbeatAsync(5, epoch: 1)).Error);
    }

    [Fact]
    public async Task A_second_incarnation_is_refused_while_the_first_is_alive_and_accepted_once_its_session_expired()
    {
        var harness = await ControllerHarness.StartAsync();
        var first = Uuid.Random();
        await harness.RegisterAsync(2, incarnation: first);
        await harness.HeartbeatAsync(2);

        var (error, message, _) = await harness.Controller.Brokers.RegisterAsync(ControllerHarness.Registration(2), CancellationToken.None);
        Assert.Equal(ErrorCode.DuplicateBrokerRegistration, error);
        Assert.Contains("Another broker is registered with that broker id", message);

        // The same incarnation retrying its registration is not a duplicate.
        await harness.RegisterAsync(2, incarnation: first);
        await harness.HeartbeatAsync(2);

        await harness.ExpireSessionsAsync();
        var replacement = Uuid.Random();
        await harness.RegisterAsync(2, incarnation: replacement);
        Assert.Equal(replacement, harness.Broker(2).IncarnationId);
    }

    [Fact]
    public async Task A_broker_of_another_cluster_or_without_a_common_metadata_version_is_refused()
    {
        var harness = await ControllerHarness.StartAsync();
        var (error, message, epoch) = await harness.Controller.Brokers.RegisterAsync(
            ControllerHarness.Registration(2, clusterId: "AAAAAAAAAAAAAAAAAAAAAA"), CancellationToken.None);
        Assert.Equal((ErrorCode.InconsistentClusterId, -1L), (error, epoch));
        Assert.Contains("AAAAAAAAAAAAAAAAAAAAAA", message);

        var old = ControllerHarness.Registration(3);
        old.Features[0].MaxSupportedVersion = 7;
        Assert.Equal(ErrorCode.UnsupportedVersion, (await harness.Controller.Brokers.RegisterAsync(old, CancellationToken.None)).Error);
        Assert.Empty(harness.Image.Brokers);
    }

    [Fact]
    public async Task An_expired_session_fences_the_broker_moves_its_leadership_and_shrinks_the_isr()
    {
        var harness = await ControllerHarness.StartAsync();
        await harness.StartBrokersAsync(1, 2, 3);
        Assert.Equal(ErrorCode.None, (ErrorCode)(await harness.CreateTopicAsync("t", [2, 1, 3], [1, 2, 3])).ErrorCode);
        Assert.Equal((2, 0), (harness.Partition("t", 0).Leader, harness.Partition("t", 0).LeaderEpoch));

        harness.Clock.Advance(ControllerHarness.SessionTimeout / 2);
        Assert.Empty(await harness.Controller.Brokers.FenceExpiredAsync(CancellationToken.None));

        Assert.Equal([2], await harness.ExpireSessionsAsync(1, 3));
        Assert.True(harness.Broker(2).Fenced);
        var moved = harness.Partition("t", 0);
        Assert.Equal((1, 1), (moved.Leader, moved.LeaderEpoch));
        Assert.Equal([1, 3], moved.Isr);
        Assert.Equal([2, 1, 3], moved.Replicas);
        var followerGone = harness.Partition("t", 1);
        Assert.Equal((1, 0), (followerGone.Leader, followerGone.LeaderEpoch));
        Assert.Equal([1, 3], followerGone.Isr);
    }

    [Fact]
    public async Task A_partition_whose_only_in_sync_replica_is_fenced_has_no_leader_until_that_broker_returns()
    {
        var harness = await ControllerHarness.StartAsync();
        await harness.StartBrokersAsync(1, 2);
        await harness.CreateTopicAsync("solo", [2]);

        await harness.ExpireSessionsAsync(1);
        var orphan = harness.Partition("solo", 0);
        Assert.Equal(-1, orphan.Leader);
        Assert.Equal([2], orphan.Isr);

        var back = await harness.HeartbeatAsync(2);
        Assert.False(back.IsFenced);
        var recovered = harness.Partition("solo", 0);
        Assert.Equal((2, 2), (recovered.Leader, recovered.LeaderEpoch));
    }

    [Fact]
    public async Task Controlled_shutdown_moves_leadership_away_then_allows_the_shutdown_and_new_replicas_avoid_the_broker()
    {
        var harness = await ControllerHarness.StartAsync();
        await harness.StartBrokersAsync(1, 2, 3);
        await harness.CreateTopicAsync("t", [2, 3]);
        await harness.CreateTopicAsync("solo", [2]);

        var before = harness.Image.Offset;
        var outcome = await harness.HeartbeatAsync(2, wantShutDown: true);
        // The moves commit with this heartbeat; the broker may go only once its metadata holds them.
        Assert.False(outcome.ShouldShutDown);
        Assert.False(outcome.IsFenced);
        Assert.True(harness.Broker(2).InControlledShutdown);
        Assert.False((await harness.HeartbeatAsync(2, offset: before, wantShutDown: true)).ShouldShutDown);
        Assert.True((await harness.HeartbeatAsync(2, wantShutDown: true)).ShouldShutDown);
        var moved = harness.Partition("t", 0);
        Assert.Equal(3, moved.Leader);
        Assert.Equal([3], moved.Isr);
        // Nowhere else to go: the leader stays rather than leaving the partition unavailable.
        Assert.Equal(2, harness.Partition("solo", 0).Leader);

        var placed = await harness.CreateTopicAsync("later", 4, 2);
        Assert.Equal(ErrorCode.None, (ErrorCode)placed.ErrorCode);
        Assert.All(harness.Image.Topic("later")!.Partitions, p => Assert.DoesNotContain(2, p.Replicas));
    }

    [Fact]
    public async Task A_broker_that_asks_to_be_fenced_is_fenced_and_its_leaderships_move()
    {
        var harness = await ControllerHarness.StartAsync();
        await harness.StartBrokersAsync(1, 2);
        await harness.CreateTopicAsync("t", [2, 1]);

        var outcome = await harness.HeartbeatAsync(2, wantFence: true);
        Assert.True(outcome.IsFenced);
        Assert.True(harness.Broker(2).Fenced);
        Assert.Equal(1, harness.Partition("t", 0).Leader);
        Assert.Equal([1], harness.Partition("t", 0).Isr);
    }

    [Fact]
    public async Task A_fenced_broker_that_wants_to_shut_down_may_do_so_at_once()
    {
        var harness = await ControllerHarness.StartAsync();
        var epoch = await harness.RegisterAsync(2);
        var outcome = await harness.HeartbeatAsync(2, offset: epoch - 1, wantShutDown: true);
        Assert.Equal((true, true), (outcome.ShouldShutDown, outcome.IsFenced));
    }

    [Fact]
    public async Task Unregistering_removes_the_broker_and_its_leaderships()
    {
        var harness = await ControllerHarness.StartAsync();
        await harness.StartBrokersAsync(1, 2);
        await harness.CreateTopicAsync("t", [2, 1]);

        Assert.Equal(ErrorCode.None, (await harness.Controller.Brokers.UnregisterAsync(2, CancellationToken.None)).Error);
        Assert.False(harness.Image.Brokers.ContainsKey(2));
        Assert.Equal(1, harness.Partition("t", 0).Leader);
        Assert.Equal([1], harness.Partition("t", 0).Isr);
        Assert.Equal(ErrorCode.BrokerIdNotRegistered, (await harness.Controller.Brokers.UnregisterAsync(2, CancellationToken.None)).Error);
    }

    [Fact]
    public async Task After_activation_registered_brokers_get_one_session_to_heartbeat()
    {
        var harness = await ControllerHarness.StartAsync();
        await harness.StartBrokersAsync(1, 2);
        // A new active controller (failover, restart) knows the brokers only from the log.
        await harness.Controller.ActivateAsync(CancellationToken.None);
        harness.Clock.Advance(ControllerHarness.SessionTimeout - TimeSpan.FromSeconds(1));
        Assert.Empty(await harness.Controller.Brokers.FenceExpiredAsync(CancellationToken.None));
        await harness.HeartbeatAsync(1);
        harness.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal([2], await harness.Controller.Brokers.FenceExpiredAsync(CancellationToken.None));
    }
}
