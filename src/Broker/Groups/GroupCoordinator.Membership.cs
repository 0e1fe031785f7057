using Broker.Protocol;
using Broker.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Broker.Groups;

/// <summary>JoinGroup, Heartbeat and LeaveGroup: the classic rebalance protocol (SyncGroup in GroupCoordinator.Sync.cs).</summary>
public sealed partial class GroupCoordinator
{
    public Task<JoinGroupResponse> JoinAsync(JoinParams join)
    {
        lock (_lock)
        {
            var now = clock();
            var error = Locate(join.GroupId, out var partition);
            if (error != ErrorCode.None)
                return Task.FromResult(JoinFailure(error, join.MemberId));
            if (join.SessionTimeoutMs < config.MinSessionTimeoutMs || join.SessionTimeoutMs > config.MaxSessionTimeoutMs)
                return Task.FromResult(JoinFailure(ErrorCode.InvalidSessionTimeout, join.MemberId));
            if (!_groups.TryGetValue(join.GroupId, out var group))
            {
                if (join.MemberId != "")
                    return Task.FromResult(JoinFailure(ErrorCode.UnknownMemberId, join.MemberId));
                _groups[join.GroupId] = group = new ClassicGroup(join.GroupId, partition, now);
            }
            if (group.State == GroupState.Dead)
                return Task.FromResult(JoinFailure(ErrorCode.CoordinatorNotAvailable, join.MemberId));
            var replacing = join.GroupInstanceId is { } instance && group.StaticMembers.TryGetValue(instance, out var holder) ? holder : join.MemberId;
            if (!group.Accepts(join.ProtocolType, join.Protocols, replacing))
                return Task.FromResult(JoinFailure(ErrorCode.InconsistentGroupProtocol, join.MemberId));
            return join.MemberId == "" ? JoinNewMember(group, join, now) : JoinKnownMember(group, join, now);
        }
    }

    private Task<JoinGroupResponse> JoinNewMember(ClassicGroup group, JoinParams join, long now)
    {
        var memberId = $"{join.GroupInstanceId ?? join.ClientId}-{Guid.NewGuid()}";
        if (join.GroupInstanceId is { } instance && group.StaticMembers.TryGetValue(instance, out var oldId))
            return RejoinStaticMember(group, group.Members[oldId], memberId, join, now);
        if (group.Members.Count >= config.MaxSize)
            return Task.FromResult(JoinFailure(ErrorCode.GroupMaxSizeReached, ""));
        if (join.GroupInstanceId is null && join.RequireKnownMemberId)
        {
            // KIP-394: the member comes back with this id, so a client that never does leaves no member behind.
            group.PendingMembers[memberId] = now + join.SessionTimeoutMs;
            return Task.FromResult(JoinFailure(ErrorCode.MemberIdRequired, memberId));
        }
        return AddMemberAndRebalance(group, memberId, join, now);
    }

    private Task<JoinGroupResponse> JoinKnownMember(ClassicGroup group, JoinParams join, long now)
    {
        if (group.PendingMembers.ContainsKey(join.MemberId))
        {
            if (group.Members.Count < config.MaxSize)
                return AddMemberAndRebalance(group, join.MemberId, join, now);
            // Refused for good: the id handed out is dropped, and the answer carries none.
            group.PendingMembers.Remove(join.MemberId);
            TryCompleteJoin(group, now); // the join phase no longer waits for it
            return Task.FromResult(JoinFailure(ErrorCode.GroupMaxSizeReached, ""));
        }
        // A static member naming an instance id the group does not hold is not the member it claims to be.
        var error = join.GroupInstanceId is { } instance && !group.StaticMembers.ContainsKey(instance)
            ? ErrorCode.UnknownMemberId
            : ValidateMember(group, join.MemberId, join.GroupInstanceId);
        if (error != ErrorCode.None)
            return Task.FromResult(JoinFailure(error, join.MemberId));
        var member = group.Members[join.MemberId];
        switch (group.State)
        {
            case GroupState.CompletingRebalance when member.SameProtocols(join.Protocols):
                // A repeated join (a lost response): answer with the generation already formed.
                member.SessionDeadline = now + member.SessionTimeoutMs;
                return Task.FromResult(JoinSuccess(group, member));
            case GroupState.Stable when !group.IsLeader(member.MemberId) && member.SameProtocols(join.Protocols):
                member.SessionDeadline = now + member.SessionTimeoutMs;
                return Task.FromResult(JoinSuccess(group, member));
            case GroupState.Empty or GroupState.Dead:
                return Task.FromResult(JoinFailure(ErrorCode.UnknownMemberId, join.MemberId));
            default:
                return UpdateMemberAndRebalance(group, member, join, now, $"member {member.MemberId} rejoined");
        }
    }

    private Task<JoinGroupResponse> AddMemberAndRebalance(ClassicGroup group, string memberId, JoinParams join, long now)
    {
        var member = new GroupMember(memberId, join.GroupInstanceId, join.ClientId, join.ClientHost);
        Update(member, join, now);
        var pending = member.PendingJoin = NewJoinWaiter();
        group.PendingMembers.Remove(memberId);
        group.Add(member);
        if (group.State == GroupState.Empty && config.InitialRebalanceDelayMs > 0)
        {
            // group.initial.rebalance.delay.ms: let the rest of a starting group arrive before the first assignment.
            group.TransitionTo(GroupState.PreparingRebalance, now);
            group.InitialDelayStart = now;
            group.InitialDelayUntil = now + config.InitialRebalanceDelayMs;
            logger.LogInformation("Group {Group} is waiting {Delay} ms for members before its first rebalance", group.GroupId, config.InitialRebalanceDelayMs);
        }
        else if (group.InitialDelayUntil >= 0)
            group.InitialDelayUntil = Math.Min(now + config.InitialRebalanceDelayMs, group.InitialDelayStart + group.RebalanceTimeoutMs);
        else
            MaybePrepareRebalance(group, now, $"member {memberId} joined");
        TryCompleteJoin(group, now);
        return pending.Task;
    }

    private Task<JoinGroupResponse> UpdateMemberAndRebalance(ClassicGroup group, GroupMember member, JoinParams join, long now, string reason)
    {
        member.CompleteJoin(JoinFailure(ErrorCode.RebalanceInProgress, member.MemberId));
        Update(member, join, now);
        var pending = member.PendingJoin = NewJoinWaiter();
        MaybePrepareRebalance(group, now, reason);
        TryCompleteJoin(group, now);
        return pending.Task;
    }

    /// <summary>
    /// KIP-345: a static member back under a new member id takes over its old place. In a stable group
    /// whose protocol choice it does not change, it gets the current generation back without a
    /// rebalance, and SyncGroup then returns its old assignment.
    /// </summary>
    private Task<JoinGroupResponse> RejoinStaticMember(ClassicGroup group, GroupMember member, string newMemberId, JoinParams join, long now)
    {
        member.CompleteJoin(JoinFailure(ErrorCode.FencedInstanceId, member.MemberId));
        member.CompleteSync(SyncFailure(ErrorCode.FencedInstanceId));
        var oldMemberId = member.MemberId;
        var oldLeader = group.LeaderId;
        var oldProtocols = member.Protocols;
        var (oldSession, oldRebalance) = (member.SessionTimeoutMs, member.RebalanceTimeoutMs);
        group.ReplaceStaticMember(member, newMemberId);
        Update(member, join, now);
        logger.LogInformation("Static member {Instance} of group {Group} rejoined as {Member} (was {Old})",
            join.GroupInstanceId, group.GroupId, newMemberId, oldMemberId);
        if (group.State == GroupState.Stable && group.SelectProtocol() == group.ProtocolName)
        {
            var error = StoreGroup(group);
            if (error != ErrorCode.None)
            {
                group.ReplaceStaticMember(member, oldMemberId);
                member.Protocols = oldProtocols;
                (member.SessionTimeoutMs, member.RebalanceTimeoutMs) = (oldSession, oldRebalance);
                return Task.FromResult(JoinFailure(error, ""));
            }
            var response = JoinSuccess(group, member);
            if (join.SupportsSkipAssignment)
                // KIP-814: a restarted leader learns it leads (to watch metadata) but must not assign:
                // a stable group would not hand a new assignment out.
                response.SkipAssignment = group.IsLeader(member.MemberId);
            else
            {
                // Older clients have no such flag: the old leader id goes back, so the new one does not think it must assign.
                response.Leader = oldLeader ?? "";
                response.Members.Clear();
            }
            return Task.FromResult(response);
        }
        var pending = member.PendingJoin = NewJoinWaiter();
        MaybePrepareRebalance(group, now, $"static member {join.GroupInstanceId} rejoined");
        TryCompleteJoin(group, now);
        return pending.Task;
    }

    private static void Update(GroupMember member, JoinParams join, long now)
    {
        member.SessionTimeoutMs = join.SessionTimeoutMs;
        member.RebalanceTimeoutMs = join.RebalanceTimeoutMs > 0 ? join.RebalanceTimeoutMs : join.SessionTimeoutMs;
        member.ProtocolType = join.ProtocolType;
        member.Protocols = join.Protocols;
        member.ClientId = join.ClientId;
        member.ClientHost = join.ClientHost;
        member.SessionDeadline = now + join.SessionTimeoutMs;
    }

    public ErrorCode Heartbeat(string groupId, int generationId, string memberId, string? groupInstanceId)
    {
        lock (_lock)
        {
            var error = Locate(groupId, out _);
            if (error != ErrorCode.None)
                return error;
            if (!_groups.TryGetValue(groupId, out var group))
                return ErrorCode.UnknownMemberId;
            if (group.State == GroupState.Dead)
                return ErrorCode.CoordinatorNotAvailable;
            if (group.State == GroupState.Empty)
                return ErrorCode.UnknownMemberId;
            error = ValidateMember(group, memberId, groupInstanceId);
            if (error != ErrorCode.None)
                return error;
            if (generationId != group.GenerationId)
                return ErrorCode.IllegalGeneration;
            var member = group.Members[memberId];
            member.SessionDeadline = clock() + member.SessionTimeoutMs;
            return group.State == GroupState.PreparingRebalance ? ErrorCode.RebalanceInProgress : ErrorCode.None;
        }
    }

    /// <summary>LeaveGroup for a batch of members (by member id, or by instance id for static members): the group-level error and one per member.</summary>
    public (ErrorCode Error, List<ErrorCode> Members) Leave(string groupId, IReadOnlyList<(string MemberId, string? GroupInstanceId)> leaving)
    {
        lock (_lock)
        {
            var now = clock();
            var error = Locate(groupId, out _);
            if (error != ErrorCode.None)
                return (error, []);
            if (!_groups.TryGetValue(groupId, out var group))
                return (ErrorCode.None, leaving.Select(_ => ErrorCode.UnknownMemberId).ToList());
            if (group.State == GroupState.Dead)
                return (ErrorCode.CoordinatorNotAvailable, []);
            var results = new List<ErrorCode>(leaving.Count);
            foreach (var (memberId, instanceId) in leaving)
                results.Add(LeaveOne(group, memberId, instanceId, now));
            return (ErrorCode.None, results);
        }
    }

    private ErrorCode LeaveOne(ClassicGroup group, string memberId, string? instanceId, long now)
    {
        if (instanceId is not null)
        {
            if (!group.StaticMembers.TryGetValue(instanceId, out var holder))
                return ErrorCode.UnknownMemberId;
            if (memberId != "" && memberId != holder)
                return ErrorCode.FencedInstanceId;
            memberId = holder;
        }
        else if (group.PendingMembers.Remove(memberId))
        {
            TryCompleteJoin(group, now);
            return ErrorCode.None;
        }
        if (!group.Members.TryGetValue(memberId, out var member))
            return ErrorCode.UnknownMemberId;
        logger.LogInformation("Member {Member} left group {Group}", memberId, group.GroupId);
        RemoveMember(group, member, now, $"member {memberId} left");
        return ErrorCode.None;
    }

    private void RemoveMember(ClassicGroup group, GroupMember member, long now, string reason)
    {
        member.CompleteJoin(JoinFailure(ErrorCode.UnknownMemberId, member.MemberId));
        member.CompleteSync(SyncFailure(ErrorCode.UnknownMemberId));
        group.Remove(member.MemberId);
        if (group.State is GroupState.Stable or GroupState.CompletingRebalance)
            PrepareRebalance(group, now, reason);
        // The last member gone, or the rest already waiting: the join phase ends now.
        TryCompleteJoin(group, now);
    }

    /// <summary>Sessions that ran out, member ids never used, and join phases past their deadline.</summary>
    private void ExpireMembers(ClassicGroup group, long now)
    {
        foreach (var (pendingId, deadline) in group.PendingMembers.ToList())
            if (deadline <= now)
                group.PendingMembers.Remove(pendingId);
        foreach (var member in group.Members.Values.ToList())
        {
            // A member waiting in JoinGroup or SyncGroup is alive: the group owes it an answer.
            if (member.PendingJoin is not null || member.PendingSync is not null || member.SessionDeadline > now)
                continue;
            logger.LogInformation("Member {Member} of group {Group} missed its session timeout ({Timeout} ms); removing it",
                member.MemberId, group.GroupId, member.SessionTimeoutMs);
            RemoveMember(group, member, now, $"member {member.MemberId} timed out");
        }
        ExpireAwaitingSync(group, now);
        TryCompleteJoin(group, now);
    }

    private void MaybePrepareRebalance(ClassicGroup group, long now, string reason)
    {
        if (group.State is GroupState.Stable or GroupState.CompletingRebalance or GroupState.Empty)
            PrepareRebalance(group, now, reason);
    }

    private void PrepareRebalance(ClassicGroup group, long now, string reason)
    {
        if (group.State == GroupState.CompletingRebalance)
            foreach (var member in group.Members.Values)
            {
                member.Assignment = [];
                member.CompleteSync(SyncFailure(ErrorCode.RebalanceInProgress));
            }
        group.AwaitingSync.Clear();
        group.TransitionTo(GroupState.PreparingRebalance, now);
        group.JoinDeadline = now + group.RebalanceTimeoutMs;
        logger.LogInformation("Preparing to rebalance group {Group} (generation {Generation}): {Reason}", group.GroupId, group.GenerationId, reason);
    }

    private void TryCompleteJoin(ClassicGroup group, long now)
    {
        if (group.State != GroupState.PreparingRebalance)
            return;
        var due = group.InitialDelayUntil >= 0 ? now >= group.InitialDelayUntil : group.AllMembersJoined || now >= group.JoinDeadline;
        if (due)
            CompleteJoin(group, now);
    }

    /// <summary>Ends the join phase: members that did not rejoin are dropped and the next generation starts.</summary>
    private void CompleteJoin(ClassicGroup group, long now)
    {
        group.InitialDelayUntil = -1;
        foreach (var member in group.Members.Values.Where(m => m.PendingJoin is null).ToList())
        {
            logger.LogInformation("Member {Member} of group {Group} did not rejoin in time; removing it", member.MemberId, group.GroupId);
            member.CompleteSync(SyncFailure(ErrorCode.UnknownMemberId));
            group.Remove(member.MemberId);
        }
        group.PendingMembers.Clear();
        group.GenerationId++;
        if (group.Members.Count == 0)
        {
            group.ProtocolName = null;
            group.LeaderId = null;
            group.TransitionTo(GroupState.Empty, now);
            var error = StoreGroup(group);
            if (error != ErrorCode.None)
                logger.LogWarning("Storing empty group {Group} failed: {Error}", group.GroupId, error);
            logger.LogInformation("Group {Group} is empty at generation {Generation}", group.GroupId, group.GenerationId);
            return;
        }
        group.ProtocolName = group.SelectProtocol();
        if (group.LeaderId is null || !group.Members.ContainsKey(group.LeaderId))
            group.LeaderId = group.Members.Keys.First();
        group.TransitionTo(GroupState.CompletingRebalance, now);
        group.AwaitingSync.UnionWith(group.Members.Keys);
        group.SyncDeadline = now + group.RebalanceTimeoutMs;
        logger.LogInformation("Group {Group} formed generation {Generation} with {Members} members (protocol {Protocol})",
            group.GroupId, group.GenerationId, group.Members.Count, group.ProtocolName);
        foreach (var member in group.Members.Values)
        {
            member.SessionDeadline = now + member.SessionTimeoutMs;
            member.CompleteJoin(JoinSuccess(group, member));
        }
    }

    /// <summary>The member exists and, for a static member, holds its instance id; otherwise the fencing error.</summary>
    private static ErrorCode ValidateMember(ClassicGroup group, string memberId, string? instanceId)
    {
        if (group.State == GroupState.Dead)
            return ErrorCode.CoordinatorNotAvailable;
        if (instanceId is not null && group.StaticMembers.TryGetValue(instanceId, out var holder) && holder != memberId)
            return ErrorCode.FencedInstanceId;
        return group.Members.ContainsKey(memberId) ? ErrorCode.None : ErrorCode.UnknownMemberId;
    }

    private static TaskCompletionSource<JoinGroupResponse> NewJoinWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static JoinGroupResponse JoinSuccess(ClassicGroup group, GroupMember member)
    {
        var response = new JoinGroupResponse
        {
            GenerationId = group.GenerationId,
            ProtocolType = group.ProtocolType,
            ProtocolName = group.ProtocolName,
            Leader = group.LeaderId ?? "",
            MemberId = member.MemberId,
        };
        if (group.IsLeader(member.MemberId))
            foreach (var m in group.Members.Values)
                response.Members.Add(new JoinGroupResponse.JoinGroupResponseMember
                {
                    MemberId = m.MemberId, GroupInstanceId = m.GroupInstanceId, Metadata = m.MetadataFor(group.ProtocolName) ?? [],
                });
        return response;
    }

    internal static JoinGroupResponse JoinFailure(ErrorCode error, string memberId) => new()
    {
        ErrorCode = (short)error, GenerationId = -1, ProtocolName = null, Leader = "", MemberId = memberId,
    };

    private static SyncGroupResponse SyncSuccess(ClassicGroup group, byte[] assignment) => new()
    {
        ProtocolType = group.ProtocolType, ProtocolName = group.ProtocolName, Assignment = assignment,
    };

    internal static SyncGroupResponse SyncFailure(ErrorCode error) => new() { ErrorCode = (short)error };
}
