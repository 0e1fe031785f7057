using Broker.Broker.Tests.Groups;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>
/// Group requests a client should never send, sent over the raw wire: each gets Kafka's error code,
/// and the coordinator keeps serving the group and everyone else.
/// </summary>
public sealed class GroupBadInputTests(GroupBroker fixture, ITestOutputHelper output) : EndToEndTest(output), IClassFixture<GroupBroker>
{
    private readonly E2EBroker _broker = fixture.Broker;

    [Fact]
    public async Task Session_timeouts_outside_the_brokers_bounds_and_empty_group_ids_are_refused()
    {
        using var connection = await Watch(_broker).ConnectAsync();
        var group = UniqueTopic("timeouts");
        Assert.Equal(ErrorCode.InvalidSessionTimeout, (await JoinAsync(connection, group, session: 1)).Error());
        Assert.Equal(ErrorCode.InvalidSessionTimeout, (await JoinAsync(connection, group, session: 3_600_000)).Error());
        Assert.Equal(ErrorCode.InvalidSessionTimeout, (await JoinAsync(connection, group, session: -5)).Error());
        Assert.Equal(ErrorCode.InvalidGroupId, (await JoinAsync(connection, "")).Error());
        var heartbeat = await connection.RequestAsync<HeartbeatResponse>(new HeartbeatRequest { GroupId = "", MemberId = "m" }, 4);
        Assert.Equal((short)ErrorCode.InvalidGroupId, heartbeat.ErrorCode);
        await AssertStillServesAsync(connection, group);
    }

    [Fact]
    public async Task A_new_member_rejoins_with_the_member_id_it_was_given_and_v0_joins_at_once()
    {
        using var connection = await Watch(_broker).ConnectAsync();
        var group = UniqueTopic("kip394");
        var first = await JoinAsync(connection, group);
        Assert.Equal(ErrorCode.MemberIdRequired, first.Error());
        Assert.StartsWith("e2e-raw-", first.MemberId);
        var joined = await JoinAsync(connection, group, first.MemberId);
        Assert.Equal((ErrorCode.None, 1, first.MemberId, "range"), (joined.Error(), joined.GenerationId, joined.Leader, joined.ProtocolName));
        Assert.Equal([first.MemberId], joined.Members.Select(m => m.MemberId));

        var v0 = await JoinAsync(connection, UniqueTopic("v0"), version: 0);
        Assert.Equal((ErrorCode.None, 1), (v0.Error(), v0.GenerationId));
        Assert.Equal(ErrorCode.UnknownMemberId, (await JoinAsync(connection, UniqueTopic("nobody"), "made-up-member")).Error());
    }

    [Fact]
    public async Task Joins_with_inconsistent_protocols_are_refused()
    {
        using var connection = await Watch(_broker).ConnectAsync();
        var group = UniqueTopic("protocols");
        var member = await StableMemberAsync(connection, group);
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, (await JoinAsync(connection, group, protocolType: "connect", version: 0)).Error());
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, (await JoinAsync(connection, group, protocols: ["roundrobin"], version: 0)).Error());
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, (await JoinAsync(connection, UniqueTopic("none"), protocols: [], version: 0)).Error());
        var sync = await SyncAsync(connection, group, member.MemberId, member.GenerationId, protocolName: "roundrobin");
        Assert.Equal((short)ErrorCode.InconsistentGroupProtocol, sync.ErrorCode);
        Assert.Equal(ErrorCode.None, await HeartbeatAsync(connection, group, member.MemberId, member.GenerationId));
    }

    [Fact]
    public async Task Commits_from_unknown_members_and_stale_generations_are_refused()
    {
        using var connection = await Watch(_broker).ConnectAsync();
        var group = UniqueTopic("commits");
        var member = await StableMemberAsync(connection, group);
        Assert.Equal(ErrorCode.UnknownMemberId, await CommitAsync(connection, group, "somebody-else", member.GenerationId, 5));
        Assert.Equal(ErrorCode.IllegalGeneration, await CommitAsync(connection, group, member.MemberId, member.GenerationId - 1, 5));
        Assert.Equal(ErrorCode.IllegalGeneration, await CommitAsync(connection, UniqueTopic("no-such-group"), "m", 3, 5));
        Assert.Equal(ErrorCode.UnknownMemberId, await CommitAsync(connection, group, "", -1, 5)); // a tool's commit to a live group
        Assert.Equal(ErrorCode.OffsetMetadataTooLarge, await CommitAsync(connection, group, member.MemberId, member.GenerationId, 5, new string('m', 5000)));
        Assert.Equal(ErrorCode.IllegalGeneration, await HeartbeatAsync(connection, group, member.MemberId, 7));
        Assert.Equal(ErrorCode.UnknownMemberId, await HeartbeatAsync(connection, group, "somebody-else", member.GenerationId));
        Assert.Equal((short)ErrorCode.UnknownMemberId, (await SyncAsync(connection, group, "somebody-else", member.GenerationId)).ErrorCode);
        Assert.Equal((short)ErrorCode.IllegalGeneration, (await SyncAsync(connection, group, member.MemberId, 9)).ErrorCode);

        Assert.Equal(ErrorCode.None, await CommitAsync(connection, group, member.MemberId, member.GenerationId, 42, "note"));
        var committed = await FetchAsync(connection, group);
        Assert.Equal((42L, "note"), (committed.CommittedOffset, committed.Metadata));
        Assert.Equal(ErrorCode.None, await HeartbeatAsync(connection, group, member.MemberId, member.GenerationId));
    }

    [Fact]
    public async Task A_duplicate_static_instance_takes_over_and_fences_the_old_member()
    {
        using var connection = await Watch(_broker).ConnectAsync();
        var group = UniqueTopic("static");
        var old = await StableMemberAsync(connection, group, instance: "instance-1");
        var replacement = await JoinAsync(connection, group, instance: "instance-1");
        Assert.Equal(ErrorCode.None, replacement.Error());
        Assert.NotEqual(old.MemberId, replacement.MemberId);
        Assert.Equal(old.GenerationId, replacement.GenerationId); // no rebalance
        Assert.Equal(ErrorCode.FencedInstanceId, await HeartbeatAsync(connection, group, old.MemberId, old.GenerationId, "instance-1"));
        Assert.Equal(ErrorCode.FencedInstanceId, await CommitAsync(connection, group, old.MemberId, old.GenerationId, 1, instance: "instance-1"));
        var sync = await SyncAsync(connection, group, replacement.MemberId, replacement.GenerationId, instance: "instance-1");
        Assert.Equal(((short)ErrorCode.None, Hex(Assignment)), (sync.ErrorCode, Hex(sync.Assignment)));
        Assert.Equal(ErrorCode.None, await HeartbeatAsync(connection, group, replacement.MemberId, replacement.GenerationId, "instance-1"));
        var leave = await connection.RequestAsync<LeaveGroupResponse>(new LeaveGroupRequest
        {
            GroupId = group,
            Members = [new() { MemberId = old.MemberId, GroupInstanceId = "instance-1" }, new() { MemberId = "", GroupInstanceId = "instance-9" }],
        }, 4);
        Assert.Equal([ErrorCode.FencedInstanceId, ErrorCode.UnknownMemberId], leave.Members.Select(m => (ErrorCode)m.ErrorCode));
    }

    [Fact]
    public async Task A_static_leader_rejoining_with_JoinGroup_v9_is_told_it_leads_but_skips_the_assignment()
    {
        using var connection = await Watch(_broker).ConnectAsync();
        var group = UniqueTopic("skip-assignment");
        var old = await StableMemberAsync(connection, group, instance: "instance-1");

        var v9 = await JoinAsync(connection, group, instance: "instance-1", version: 9);
        Assert.Equal((ErrorCode.None, old.GenerationId, v9.MemberId, true), (v9.Error(), v9.GenerationId, v9.Leader, v9.SkipAssignment));
        Assert.Equal([v9.MemberId], v9.Members.Select(m => m.MemberId));
        var sync = await SyncAsync(connection, group, v9.MemberId, v9.GenerationId, instance: "instance-1");
        Assert.Equal(((short)ErrorCode.None, Hex(Assignment)), (sync.ErrorCode, Hex(sync.Assignment)));

        // Before v9 the previous leader id comes back instead, and no members: the client does not assign.
        var v5 = await JoinAsync(connection, group, instance: "instance-1");
        Assert.Equal((ErrorCode.None, v9.MemberId, 0), (v5.Error(), v5.Leader, v5.Members.Count));
        Assert.NotEqual(v9.MemberId, v5.MemberId);
    }

    [Fact]
    public async Task Describe_list_delete_and_offset_delete_follow_the_group_state()
    {
        using var connection = await Watch(_broker).ConnectAsync();
        var group = UniqueTopic("admin");
        var member = await StableMemberAsync(connection, group);
        Assert.Equal(ErrorCode.None, await CommitAsync(connection, group, member.MemberId, member.GenerationId, 3));

        var described = Assert.Single((await connection.RequestAsync<DescribeGroupsResponse>(new DescribeGroupsRequest { Groups = [group] }, 5)).Groups);
        Assert.Equal(("Stable", "consumer", "range"), (described.GroupState, described.ProtocolType, described.ProtocolData));
        Assert.Equal((member.MemberId, Hex(Assignment)), (Assert.Single(described.Members).MemberId, Hex(described.Members[0].MemberAssignment)));
        Assert.Contains(group, await ListAsync(connection, "Stable"));
        Assert.DoesNotContain(group, await ListAsync(connection, "Empty"));

        Assert.Equal(ErrorCode.NonEmptyGroup, await DeleteGroupAsync(connection, group));
        Assert.Equal(ErrorCode.GroupIdNotFound, await DeleteGroupAsync(connection, UniqueTopic("never-existed")));
        var offsetDelete = await OffsetDeleteAsync(connection, group);
        Assert.Equal(ErrorCode.GroupSubscribedToTopic, (ErrorCode)offsetDelete.Topics[0].Partitions[0].ErrorCode);

        var leave = await connection.RequestAsync<LeaveGroupResponse>(new LeaveGroupRequest
        {
            GroupId = group, Members = [new() { MemberId = member.MemberId }, new() { MemberId = "ghost" }],
        }, 3);
        Assert.Equal([ErrorCode.None, ErrorCode.UnknownMemberId], leave.Members.Select(m => (ErrorCode)m.ErrorCode));
        Assert.Contains(group, await ListAsync(connection, "empty"));
        Assert.Equal(ErrorCode.None, (ErrorCode)(await OffsetDeleteAsync(connection, group)).Topics[0].Partitions[0].ErrorCode);
        Assert.Equal(-1, (await FetchAsync(connection, group)).CommittedOffset);
        Assert.Equal(ErrorCode.None, await DeleteGroupAsync(connection, group));
        Assert.Equal(ErrorCode.GroupIdNotFound, await DeleteGroupAsync(connection, group));
        Assert.Equal("Dead", Assert.Single((await connection.RequestAsync<DescribeGroupsResponse>(new DescribeGroupsRequest { Groups = [group] }, 5)).Groups).GroupState);
    }

    [Fact]
    public async Task OffsetFetch_v8_answers_for_several_groups_and_older_versions_for_one()
    {
        using var connection = await Watch(_broker).ConnectAsync();
        string g1 = UniqueTopic("fetch-a"), g2 = UniqueTopic("fetch-b");
        Assert.Equal(ErrorCode.None, await CommitAsync(connection, g1, "", -1, 11));
        Assert.Equal(ErrorCode.None, await CommitAsync(connection, g2, "", -1, 22));
        var response = await connection.RequestAsync<OffsetFetchResponse>(new OffsetFetchRequest
        {
            Groups =
            [
                new() { GroupId = g1, Topics = [new() { Name = "orders", PartitionIndexes = [0, 1] }] },
                new() { GroupId = g2, Topics = null },
            ],
        }, 9);
        Assert.Equal([(g1, 0, 11L), (g1, 1, -1L), (g2, 0, 22L)],
            response.Groups.SelectMany(g => g.Topics.SelectMany(t => t.Partitions.Select(p => (g.GroupId, p.PartitionIndex, p.CommittedOffset)))));
        var v1 = await connection.RequestAsync<OffsetFetchResponse>(new OffsetFetchRequest
        {
            GroupId = g1, Topics = [new() { Name = "orders", PartitionIndexes = [0] }],
        }, 1);
        Assert.Equal(11, v1.Topics[0].Partitions[0].CommittedOffset);
    }

    private static readonly byte[] Assignment = [0, 0, 0, 0, 0, 1, 0, 6, (byte)'o', (byte)'r', (byte)'d', (byte)'e', (byte)'r', (byte)'s', 0, 0, 0, 1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff];

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes);

    private static Task<JoinGroupResponse> JoinAsync(
        KafkaConnection connection, string group, string memberId = "", string? instance = null, int session = 10_000,
        string protocolType = "consumer", string[]? protocols = null, short version = 5) =>
        connection.RequestAsync<JoinGroupResponse>(new JoinGroupRequest
        {
            GroupId = group, MemberId = memberId, GroupInstanceId = instance, SessionTimeoutMs = session, RebalanceTimeoutMs = 10_000,
            ProtocolType = protocolType,
            Protocols = [.. (protocols ?? ["range"]).Select(p => new JoinGroupRequest.JoinGroupRequestProtocol { Name = p, Metadata = ConsumerSubscriptions.Encode("orders") })],
        }, version);

    /// <summary>The only member of a new group, joined and synced (generation 1, it is the leader, holding <see cref="Assignment"/>).</summary>
    private static async Task<JoinGroupResponse> StableMemberAsync(KafkaConnection connection, string group, string? instance = null)
    {
        var join = await JoinAsync(connection, group, instance: instance);
        if (join.Error() == ErrorCode.MemberIdRequired)
            join = await JoinAsync(connection, group, join.MemberId, instance);
        Assert.Equal((ErrorCode.None, 1), (join.Error(), join.GenerationId));
        var sync = await SyncAsync(connection, group, join.MemberId, join.GenerationId, instance: instance,
            assignments: [new() { MemberId = join.MemberId, Assignment = Assignment }]);
        Assert.Equal(((short)ErrorCode.None, Hex(Assignment)), (sync.ErrorCode, Hex(sync.Assignment)));
        return join;
    }

    private static Task<SyncGroupResponse> SyncAsync(
        KafkaConnection connection, string group, string memberId, int generation, string? instance = null,
        string protocolName = "range", List<SyncGroupRequest.SyncGroupRequestAssignment>? assignments = null) =>
        connection.RequestAsync<SyncGroupResponse>(new SyncGroupRequest
        {
            GroupId = group, MemberId = memberId, GenerationId = generation, GroupInstanceId = instance,
            ProtocolType = "consumer", ProtocolName = protocolName, Assignments = assignments ?? [],
        }, 5);

    private static async Task<ErrorCode> HeartbeatAsync(KafkaConnection connection, string group, string memberId, int generation, string? instance = null) =>
        (ErrorCode)(await connection.RequestAsync<HeartbeatResponse>(new HeartbeatRequest
        {
            GroupId = group, MemberId = memberId, GenerationId = generation, GroupInstanceId = instance,
        }, 4)).ErrorCode;

    private static async Task<ErrorCode> CommitAsync(
        KafkaConnection connection, string group, string memberId, int generation, long offset, string? metadata = "", string? instance = null)
    {
        var response = await connection.RequestAsync<OffsetCommitResponse>(new OffsetCommitRequest
        {
            GroupId = group, MemberId = memberId, GenerationIdOrMemberEpoch = generation, GroupInstanceId = instance,
            Topics = [new() { Name = "orders", Partitions = [new() { PartitionIndex = 0, CommittedOffset = offset, CommittedMetadata = metadata }] }],
        }, 8);
        return (ErrorCode)Assert.Single(Assert.Single(response.Topics).Partitions).ErrorCode;
    }

    private static async Task<OffsetFetchResponse.OffsetFetchResponsePartition> FetchAsync(KafkaConnection connection, string group)
    {
        var response = await connection.RequestAsync<OffsetFetchResponse>(new OffsetFetchRequest
        {
            GroupId = group, Topics = [new() { Name = "orders", PartitionIndexes = [0] }],
        }, 7);
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        return Assert.Single(Assert.Single(response.Topics).Partitions);
    }

    private static async Task<List<string>> ListAsync(KafkaConnection connection, string state) =>
        (await connection.RequestAsync<ListGroupsResponse>(new ListGroupsRequest { StatesFilter = [state] }, 5)).Groups.Select(g => g.GroupId).ToList();

    private static async Task<ErrorCode> DeleteGroupAsync(KafkaConnection connection, string group) =>
        (ErrorCode)Assert.Single((await connection.RequestAsync<DeleteGroupsResponse>(new DeleteGroupsRequest { GroupsNames = [group] }, 2)).Results).ErrorCode;

    private static Task<OffsetDeleteResponse> OffsetDeleteAsync(KafkaConnection connection, string group) =>
        connection.RequestAsync<OffsetDeleteResponse>(new OffsetDeleteRequest
        {
            GroupId = group, Topics = [new() { Name = "orders", Partitions = [new() { PartitionIndex = 0 }] }],
        }, 0);

    /// <summary>After the bad requests the same connection still gets answers, and a fresh group still forms.</summary>
    private static async Task AssertStillServesAsync(KafkaConnection connection, string group) =>
        await StableMemberAsync(connection, group + "-after");
}

internal static class JoinGroupResponseErrors
{
    public static ErrorCode Error(this JoinGroupResponse response) => (ErrorCode)response.ErrorCode;
}
