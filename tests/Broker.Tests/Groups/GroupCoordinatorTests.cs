using Broker.Groups;
using Broker.Log;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Microsoft.Extensions.Logging.Abstractions;

namespace Broker.Broker.Tests.Groups;

/// <summary>
/// The classic group state machine on a clock the test moves: sessions, join deadlines, the initial
/// rebalance delay, static members, offset expiry and reloading from the log, with no sleeping.
/// </summary>
public sealed class GroupCoordinatorTests
{
    private const int Partitions = 4;
    private const int Session = 10_000, Rebalance = 20_000;
    private static readonly byte[] Metadata = [1, 2, 3];

    private readonly InMemoryGroupLog _log = new();
    private long _now = 1_000_000;

    private GroupCoordinator NewCoordinator(GroupConfig? config = null)
    {
        var coordinator = new GroupCoordinator(_log, config ?? new GroupConfig(InitialRebalanceDelayMs: 0), () => _now, NullLogger.Instance);
        coordinator.Own(Partitions, Enumerable.Range(0, Partitions));
        return coordinator;
    }

    private static JoinParams Join(string group, string memberId = "", string? instance = null, string[]? protocols = null, string clientId = "client") =>
        new(group, memberId, instance, Session, Rebalance, "consumer", (protocols ?? ["range"]).Select(p => (p, Metadata)).ToList(),
            RequireKnownMemberId: false, clientId, "/127.0.0.1");

    /// <summary>A member that joined alone and synced: generation <paramref name="expectedGeneration"/>, holding <paramref name="assignment"/>.</summary>
    private static async Task<JoinGroupResponse> StableAloneAsync(GroupCoordinator coordinator, string group, byte[] assignment, string? instance = null)
    {
        var join = await coordinator.JoinAsync(Join(group, instance: instance));
        Assert.Equal(ErrorCode.None, (ErrorCode)join.ErrorCode);
        var sync = await coordinator.SyncAsync(group, join.GenerationId, join.MemberId, instance, null, null,
            new Dictionary<string, byte[]> { [join.MemberId] = assignment });
        Assert.Equal(assignment, sync.Assignment);
        return join;
    }

    /// <summary>A member alone in generation 1, then joined by a second: generation 2 formed, nobody synced yet.</summary>
    private async Task<(JoinGroupResponse Leader, JoinGroupResponse Second)> SecondGenerationOfTwoAsync(GroupCoordinator coordinator)
    {
        var first = await StableAloneAsync(coordinator, "g", [1]);
        var secondJoin = coordinator.JoinAsync(Join("g", clientId: "second"));
        var leader = await coordinator.JoinAsync(Join("g", first.MemberId));
        return (leader, await secondJoin);
    }

    [Fact]
    public async Task A_member_that_stops_heartbeating_is_removed_when_its_session_ends()
    {
        var coordinator = NewCoordinator();
        var member = await StableAloneAsync(coordinator, "g", [9]);
        _now += Session - 1;
        Assert.Equal(ErrorCode.None, coordinator.Heartbeat("g", member.GenerationId, member.MemberId, null));
        _now += Session - 1;
        coordinator.Tick();
        Assert.Equal("Stable", coordinator.Describe("g").GroupState);
        _now += 1;
        coordinator.Tick();
        Assert.Equal("Empty", coordinator.Describe("g").GroupState);
        Assert.Equal(ErrorCode.UnknownMemberId, coordinator.Heartbeat("g", member.GenerationId, member.MemberId, null));
    }

    [Fact]
    public async Task A_member_that_does_not_rejoin_within_the_rebalance_timeout_is_dropped()
    {
        var coordinator = NewCoordinator();
        var first = await StableAloneAsync(coordinator, "g", [1]);
        var secondJoin = coordinator.JoinAsync(Join("g", clientId: "second"));
        Assert.False(secondJoin.IsCompleted); // waits for the first member to rejoin
        Assert.Equal(ErrorCode.RebalanceInProgress, coordinator.Heartbeat("g", first.GenerationId, first.MemberId, null));

        // The first member stays alive through heartbeats but never rejoins.
        _now += Session - 1000;
        Assert.Equal(ErrorCode.RebalanceInProgress, coordinator.Heartbeat("g", first.GenerationId, first.MemberId, null));
        _now += Session - 1000;
        Assert.Equal(ErrorCode.RebalanceInProgress, coordinator.Heartbeat("g", first.GenerationId, first.MemberId, null));
        _now += Rebalance - 2 * (Session - 1000) - 1;
        coordinator.Tick();
        Assert.False(secondJoin.IsCompleted);
        _now += 1;
        coordinator.Tick();
        var second = await secondJoin;
        Assert.Equal((ErrorCode.None, 2, second.MemberId), ((ErrorCode)second.ErrorCode, second.GenerationId, second.Leader));
        Assert.Equal([second.MemberId], second.Members.Select(m => m.MemberId));
        Assert.Equal(ErrorCode.UnknownMemberId, coordinator.Heartbeat("g", first.GenerationId, first.MemberId, null));
    }

    [Fact]
    public async Task Members_that_all_rejoin_form_the_next_generation_at_once_and_the_leader_assigns()
    {
        var coordinator = NewCoordinator();
        var first = await StableAloneAsync(coordinator, "g", [1]);
        var secondJoin = coordinator.JoinAsync(Join("g", clientId: "second"));
        var firstRejoin = await coordinator.JoinAsync(Join("g", first.MemberId));
        var second = await secondJoin;
        Assert.Equal((2, 2, first.MemberId), (firstRejoin.GenerationId, second.GenerationId, firstRejoin.Leader));
        Assert.Equal(2, firstRejoin.Members.Count);
        Assert.Empty(second.Members);

        var secondSync = coordinator.SyncAsync("g", 2, second.MemberId, null, null, null, new Dictionary<string, byte[]>());
        Assert.False(secondSync.IsCompleted);
        Assert.Equal(ErrorCode.RebalanceInProgress, Commit(coordinator, "g", first.MemberId, 2, 5));
        var leaderSync = await coordinator.SyncAsync("g", 2, first.MemberId, null, null, null,
            new Dictionary<string, byte[]> { [first.MemberId] = [10], [second.MemberId] = [20] });
        Assert.Equal(new byte[] { 10 }, leaderSync.Assignment);
        Assert.Equal(new byte[] { 20 }, (await secondSync).Assignment);
        Assert.Equal(ErrorCode.None, Commit(coordinator, "g", second.MemberId, 2, 5));
    }

    [Fact]
    public async Task A_member_that_heartbeats_but_never_syncs_is_dropped_after_the_rebalance_timeout()
    {
        var coordinator = NewCoordinator();
        var (leader, second) = await SecondGenerationOfTwoAsync(coordinator);
        var leaderSync = await coordinator.SyncAsync("g", leader.GenerationId, leader.MemberId, null, null, null,
            new Dictionary<string, byte[]> { [leader.MemberId] = [1], [second.MemberId] = [2] });
        Assert.Equal(new byte[] { 1 }, leaderSync.Assignment);

        // The second member keeps its session alive but never asks for its assignment.
        foreach (var step in new[] { Session / 2, Session / 2, Session / 2, Rebalance - 3 * (Session / 2) - 1 })
        {
            _now += step;
            Assert.Equal(ErrorCode.None, coordinator.Heartbeat("g", second.GenerationId, second.MemberId, null));
            Assert.Equal(ErrorCode.None, coordinator.Heartbeat("g", leader.GenerationId, leader.MemberId, null));
            coordinator.Tick();
        }
        Assert.Equal(("Stable", 2), (coordinator.Describe("g").GroupState, coordinator.Describe("g").Members.Count));
        _now += 1;
        coordinator.Tick();
        Assert.Equal(ErrorCode.UnknownMemberId, coordinator.Heartbeat("g", second.GenerationId, second.MemberId, null));
        Assert.Equal(ErrorCode.RebalanceInProgress, coordinator.Heartbeat("g", leader.GenerationId, leader.MemberId, null));
        var rejoin = await coordinator.JoinAsync(Join("g", leader.MemberId));
        Assert.Equal((leader.GenerationId + 1, 1), (rejoin.GenerationId, rejoin.Members.Count));
    }

    [Fact]
    public async Task A_leader_that_never_syncs_is_dropped_and_members_waiting_for_its_assignment_rejoin()
    {
        var coordinator = NewCoordinator();
        var (leader, second) = await SecondGenerationOfTwoAsync(coordinator);
        var waiting = coordinator.SyncAsync("g", second.GenerationId, second.MemberId, null, null, null, new Dictionary<string, byte[]>());
        _now += Rebalance - 1;
        Assert.Equal(ErrorCode.None, coordinator.Heartbeat("g", leader.GenerationId, leader.MemberId, null));
        coordinator.Tick();
        Assert.False(waiting.IsCompleted);
        _now += 1;
        coordinator.Tick();
        Assert.True(waiting.IsCompleted, "the member still waits for an assignment that will never come");
        Assert.Equal(ErrorCode.RebalanceInProgress, (ErrorCode)(await waiting).ErrorCode);
        Assert.Equal(ErrorCode.UnknownMemberId, coordinator.Heartbeat("g", leader.GenerationId, leader.MemberId, null));
    }

    [Fact]
    public async Task The_initial_rebalance_delay_holds_the_first_generation_for_late_members()
    {
        var coordinator = NewCoordinator(new GroupConfig(InitialRebalanceDelayMs: 3000));
        var first = coordinator.JoinAsync(Join("g", clientId: "a"));
        _now += 2000;
        var second = coordinator.JoinAsync(Join("g", clientId: "b"));
        _now += 2999; // the second member extended the wait by another delay
        coordinator.Tick();
        Assert.False(first.IsCompleted);
        _now += 1;
        coordinator.Tick();
        Assert.Equal((1, 1), ((await first).GenerationId, (await second).GenerationId));
        Assert.Equal(2, (await first).Members.Count + (await second).Members.Count);
    }

    [Fact]
    public async Task The_most_voted_protocol_every_member_supports_is_chosen()
    {
        var coordinator = NewCoordinator();
        var aId = (await coordinator.JoinAsync(Join("g", protocols: ["range", "roundrobin"], clientId: "a"))).MemberId;
        var b = coordinator.JoinAsync(Join("g", protocols: ["roundrobin", "range"], clientId: "b"));
        var c = coordinator.JoinAsync(Join("g", protocols: ["roundrobin"], clientId: "c"));
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, (ErrorCode)(await coordinator.JoinAsync(Join("g", protocols: ["sticky"]))).ErrorCode);
        var aRejoin = await coordinator.JoinAsync(Join("g", aId, protocols: ["range", "roundrobin"]));
        Assert.Equal("roundrobin roundrobin roundrobin", $"{aRejoin.ProtocolName} {(await b).ProtocolName} {(await c).ProtocolName}");
    }

    [Fact]
    public async Task A_member_id_handed_out_with_MEMBER_ID_REQUIRED_lapses_after_the_session_timeout()
    {
        var coordinator = NewCoordinator();
        var first = await coordinator.JoinAsync(Join("g") with { RequireKnownMemberId = true });
        Assert.Equal(ErrorCode.MemberIdRequired, (ErrorCode)first.ErrorCode);
        _now += Session;
        coordinator.Tick();
        Assert.Equal(ErrorCode.UnknownMemberId, (ErrorCode)(await coordinator.JoinAsync(Join("g", first.MemberId))).ErrorCode);
        var again = await coordinator.JoinAsync(Join("g") with { RequireKnownMemberId = true });
        var joined = await coordinator.JoinAsync(Join("g", again.MemberId));
        Assert.Equal((ErrorCode.None, again.MemberId), ((ErrorCode)joined.ErrorCode, joined.MemberId));
    }

    [Fact]
    public async Task A_static_member_rejoining_keeps_generation_and_assignment_and_fences_its_old_id()
    {
        var coordinator = NewCoordinator();
        var old = await StableAloneAsync(coordinator, "g", [7], instance: "i1");
        var rejoin = await coordinator.JoinAsync(Join("g", instance: "i1"));
        Assert.Equal((ErrorCode.None, old.GenerationId, old.MemberId), ((ErrorCode)rejoin.ErrorCode, rejoin.GenerationId, rejoin.Leader));
        Assert.NotEqual(old.MemberId, rejoin.MemberId);
        var sync = await coordinator.SyncAsync("g", rejoin.GenerationId, rejoin.MemberId, "i1", null, null, new Dictionary<string, byte[]>());
        Assert.Equal(new byte[] { 7 }, sync.Assignment);
        Assert.Equal(ErrorCode.FencedInstanceId, coordinator.Heartbeat("g", old.GenerationId, old.MemberId, "i1"));
        Assert.Equal("Stable", coordinator.Describe("g").GroupState);
    }

    [Fact]
    public async Task Offsets_and_group_state_are_reloaded_from_the_log()
    {
        var coordinator = NewCoordinator();
        var member = await StableAloneAsync(coordinator, "g", [5], instance: "i1");
        Assert.Equal(ErrorCode.None, Commit(coordinator, "g", member.MemberId, member.GenerationId, 42, "i1"));
        Assert.Equal(ErrorCode.None, Commit(coordinator, "solo", "", -1, 7));
        Assert.Equal(ErrorCode.None, Commit(coordinator, "solo", "", -1, 8));

        var reloaded = NewCoordinator();
        Assert.Equal(42, Offset(reloaded, "g"));
        Assert.Equal(8, Offset(reloaded, "solo"));
        var described = reloaded.Describe("g");
        Assert.Equal(("Stable", "i1"), (described.GroupState, Assert.Single(described.Members).GroupInstanceId));
        Assert.Equal(ErrorCode.None, reloaded.Heartbeat("g", member.GenerationId, member.MemberId, "i1"));

        Assert.Equal(ErrorCode.None, reloaded.Leave("g", [(member.MemberId, null)]).Members.Single());
        Assert.Equal(ErrorCode.None, reloaded.DeleteGroup("g"));
        var afterDelete = NewCoordinator();
        Assert.Equal("Dead", afterDelete.Describe("g").GroupState);
        Assert.Equal(-1, Offset(afterDelete, "g"));
    }

    [Fact]
    public async Task A_commit_is_not_acknowledged_when_its_append_fails()
    {
        var coordinator = NewCoordinator();
        _log.FailWith = ErrorCode.NotCoordinator;
        Assert.Equal(ErrorCode.NotCoordinator, Commit(coordinator, "g", "", -1, 3));
        Assert.Equal(-1, Offset(coordinator, "g"));
        _log.FailWith = ErrorCode.None;
        Assert.Equal(ErrorCode.None, Commit(coordinator, "g", "", -1, 3));
        Assert.Equal(3, Offset(coordinator, "g"));
    }

    [Theory]
    [InlineData(ErrorCode.NotLeaderOrFollower, ErrorCode.NotCoordinator, ErrorCode.NotCoordinator)]
    [InlineData(ErrorCode.KafkaStorageError, ErrorCode.NotCoordinator, ErrorCode.NotCoordinator)]
    [InlineData(ErrorCode.NotEnoughReplicas, ErrorCode.CoordinatorNotAvailable, ErrorCode.CoordinatorNotAvailable)]
    [InlineData(ErrorCode.MessageTooLarge, ErrorCode.InvalidCommitOffsetSize, ErrorCode.UnknownServerError)]
    [InlineData(ErrorCode.RequestTimedOut, ErrorCode.RequestTimedOut, ErrorCode.RebalanceInProgress)]
    public async Task A_failed_append_is_told_to_committers_and_to_syncing_members_as_Kafka_tells_each(
        ErrorCode append, ErrorCode toCommitter, ErrorCode toSyncingMember)
    {
        var coordinator = NewCoordinator();
        var join = await coordinator.JoinAsync(Join("g"));
        _log.FailWith = append;
        Assert.Equal(toCommitter, Commit(coordinator, "other", "", -1, 1));
        var sync = await coordinator.SyncAsync("g", join.GenerationId, join.MemberId, null, null, null,
            new Dictionary<string, byte[]> { [join.MemberId] = [1] });
        Assert.Equal(toSyncingMember, (ErrorCode)sync.ErrorCode);
        Assert.Equal("PreparingRebalance", coordinator.Describe("g").GroupState); // the member rejoins for a new generation
    }

    [Fact]
    public async Task Offsets_of_a_group_empty_for_the_retention_period_expire_and_the_group_goes()
    {
        var coordinator = NewCoordinator(new GroupConfig(InitialRebalanceDelayMs: 0, OffsetsRetentionMs: 60_000, OffsetsRetentionCheckIntervalMs: 1000));
        var member = await StableAloneAsync(coordinator, "g", [1]);
        Assert.Equal(ErrorCode.None, Commit(coordinator, "g", member.MemberId, member.GenerationId, 9));
        _now += 120_000; // a live member keeps its group's offsets however old they are
        Assert.Equal(ErrorCode.None, coordinator.Heartbeat("g", member.GenerationId, member.MemberId, null));
        coordinator.Tick();
        Assert.Equal(9, Offset(coordinator, "g"));

        coordinator.Leave("g", [(member.MemberId, null)]);
        _now += 59_999;
        coordinator.Tick();
        Assert.Equal(9, Offset(coordinator, "g"));
        _now += 1000;
        coordinator.Tick();
        Assert.Equal(-1, Offset(coordinator, "g"));
        Assert.Equal("Dead", coordinator.Describe("g").GroupState);
        Assert.Equal(-1, Offset(NewCoordinator(), "g"));
    }

    [Fact]
    public async Task A_stable_consumer_group_keeps_the_offsets_of_subscribed_topics_while_others_expire_from_their_commit()
    {
        var coordinator = NewCoordinator(new GroupConfig(InitialRebalanceDelayMs: 0, OffsetsRetentionMs: 60_000, OffsetsRetentionCheckIntervalMs: 1000));
        var join = await coordinator.JoinAsync(Join("g") with { Protocols = [("range", ConsumerSubscriptions.Encode("t"))] });
        await coordinator.SyncAsync("g", join.GenerationId, join.MemberId, null, null, null, new Dictionary<string, byte[]>());
        Assert.Equal("Stable", coordinator.Describe("g").GroupState);
        Assert.Equal(ErrorCode.None, Commit(coordinator, "g", join.MemberId, join.GenerationId, 5));
        Assert.Equal(ErrorCode.None, Commit(coordinator, "g", join.MemberId, join.GenerationId, 6, topic: "dropped"));

        _now += 59_999;
        Assert.Equal(ErrorCode.None, coordinator.Heartbeat("g", join.GenerationId, join.MemberId, null));
        coordinator.Tick();
        Assert.Equal((5, 6), (Offset(coordinator, "g"), Offset(coordinator, "g", "dropped")));
        _now += 1000;
        Assert.Equal(ErrorCode.None, coordinator.Heartbeat("g", join.GenerationId, join.MemberId, null));
        coordinator.Tick();
        Assert.Equal((5, -1), (Offset(coordinator, "g"), Offset(coordinator, "g", "dropped")));
        Assert.Equal(-1, Offset(NewCoordinator(), "g", "dropped"));
    }

    [Fact]
    public async Task An_offset_committed_with_an_explicit_retention_expires_at_its_own_time()
    {
        var coordinator = NewCoordinator(new GroupConfig(InitialRebalanceDelayMs: 0, OffsetsRetentionMs: 60_000, OffsetsRetentionCheckIntervalMs: 1000));
        var member = await StableAloneAsync(coordinator, "g", [1]);
        coordinator.Leave("g", [(member.MemberId, null)]);
        var commit = new OffsetCommitParams("g", -1, "", null, RetentionTimeMs: 5_000, [(new TopicPartition("t", 0), 3, -1, "")]);
        Assert.Equal(ErrorCode.None, coordinator.CommitOffsets(commit).Single());
        _now += 4_999;
        coordinator.Tick();
        Assert.Equal(3, Offset(coordinator, "g"));
        _now += 1_000;
        coordinator.Tick();
        Assert.Equal(-1, Offset(coordinator, "g"));
    }

    [Fact]
    public async Task A_partition_this_node_does_not_lead_answers_NOT_COORDINATOR()
    {
        var coordinator = NewCoordinator();
        var partition = Handlers.FindCoordinatorHandler.PartitionFor("g", Partitions);
        coordinator.Disown(partition);
        Assert.Equal(ErrorCode.NotCoordinator, (ErrorCode)(await coordinator.JoinAsync(Join("g"))).ErrorCode);
        Assert.Equal(ErrorCode.NotCoordinator, Commit(coordinator, "g", "", -1, 1));
    }

    [Fact]
    public async Task A_commit_naming_a_member_is_refused_unless_that_member_holds_the_current_generation_even_in_an_empty_group()
    {
        var coordinator = NewCoordinator();
        var member = await StableAloneAsync(coordinator, "g", [1]);
        Assert.Equal(ErrorCode.UnknownMemberId, Commit(coordinator, "g", "", -1, 1)); // a tool may not commit while members consume
        Assert.Equal(ErrorCode.IllegalGeneration, Commit(coordinator, "g", member.MemberId, member.GenerationId + 1, 1));
        coordinator.Leave("g", [(member.MemberId, null)]);

        // The group is empty now: a tool's commit goes through, a former member's does not, with or without a generation.
        Assert.Equal(ErrorCode.None, Commit(coordinator, "g", "", -1, 2));
        Assert.Equal(ErrorCode.UnknownMemberId, Commit(coordinator, "g", member.MemberId, -1, 3));
        Assert.Equal(ErrorCode.UnknownMemberId, Commit(coordinator, "g", member.MemberId, member.GenerationId, 3));
        Assert.Equal(ErrorCode.UnknownMemberId, Commit(coordinator, "g", "", -1, 3, instance: "i1"));
        Assert.Equal(ErrorCode.IllegalGeneration, Commit(coordinator, "never-seen", "", 4, 3));
        Assert.Equal(2, Offset(coordinator, "g"));
    }

    [Fact]
    public async Task A_member_id_handed_out_to_a_full_group_is_refused_with_GROUP_MAX_SIZE_REACHED_and_forgotten()
    {
        var coordinator = NewCoordinator(new GroupConfig(InitialRebalanceDelayMs: 0, MaxSize: 1));
        var pending = await coordinator.JoinAsync(Join("g") with { RequireKnownMemberId = true });
        Assert.Equal(ErrorCode.MemberIdRequired, (ErrorCode)pending.ErrorCode);
        var firstJoin = coordinator.JoinAsync(Join("g"));
        Assert.False(firstJoin.IsCompleted); // the join phase waits for the member that was handed an id
        var refused = await coordinator.JoinAsync(Join("g", pending.MemberId));
        Assert.Equal((ErrorCode.GroupMaxSizeReached, ""), ((ErrorCode)refused.ErrorCode, refused.MemberId));
        Assert.True(firstJoin.IsCompleted, "the join phase still waited for the refused member");
        var first = await firstJoin;
        Assert.Equal((ErrorCode.None, 1), ((ErrorCode)first.ErrorCode, first.GenerationId));
        Assert.Equal(ErrorCode.UnknownMemberId, (ErrorCode)(await coordinator.JoinAsync(Join("g", pending.MemberId))).ErrorCode);
        Assert.Equal(ErrorCode.GroupMaxSizeReached, (ErrorCode)(await coordinator.JoinAsync(Join("g"))).ErrorCode);
        Assert.Equal(ErrorCode.None, coordinator.Heartbeat("g", first.GenerationId, first.MemberId, null));
    }

    [Fact]
    public async Task A_known_member_joining_with_an_instance_id_the_group_does_not_hold_is_unknown()
    {
        var coordinator = NewCoordinator();
        var member = await StableAloneAsync(coordinator, "g", [1]);
        var join = coordinator.JoinAsync(Join("g", member.MemberId, instance: "i9"));
        Assert.True(join.IsCompleted, "the join started a rebalance instead of being refused");
        Assert.Equal(ErrorCode.UnknownMemberId, (ErrorCode)(await join).ErrorCode);
        Assert.Equal("Stable", coordinator.Describe("g").GroupState);
    }

    private static ErrorCode Commit(GroupCoordinator coordinator, string group, string memberId, int generation, long offset, string? instance = null, string topic = "t") =>
        coordinator.CommitOffsets(new OffsetCommitParams(group, generation, memberId, instance, -1,
            [(new TopicPartition(topic, 0), offset, -1, "")])).Single();

    private static long Offset(GroupCoordinator coordinator, string group, string topic = "t") =>
        coordinator.FetchOffsets(group, [new TopicPartition(topic, 0)]).Offsets.Single().Offset?.Offset ?? -1;
}
