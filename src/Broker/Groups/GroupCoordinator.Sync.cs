using Broker.Protocol;
using Broker.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Broker.Groups;

/// <summary>SyncGroup: the leader's assignment handed to the members, and members that never come for theirs.</summary>
public sealed partial class GroupCoordinator
{
    public Task<SyncGroupResponse> SyncAsync(
        string groupId, int generationId, string memberId, string? groupInstanceId, string? protocolType, string? protocolName,
        IReadOnlyDictionary<string, byte[]> assignments)
    {
        lock (_lock)
        {
            var now = clock();
            var error = Locate(groupId, out _);
            if (error != ErrorCode.None)
                return Task.FromResult(SyncFailure(error));
            if (!_groups.TryGetValue(groupId, out var group))
                return Task.FromResult(SyncFailure(ErrorCode.UnknownMemberId));
            error = ValidateMember(group, memberId, groupInstanceId);
            if (error == ErrorCode.None && generationId != group.GenerationId)
                error = ErrorCode.IllegalGeneration;
            if (error == ErrorCode.None && (protocolType is not null && protocolType != group.ProtocolType
                    || protocolName is not null && protocolName != group.ProtocolName))
                error = ErrorCode.InconsistentGroupProtocol;
            if (error != ErrorCode.None)
                return Task.FromResult(SyncFailure(error));
            var member = group.Members[memberId];
            member.SessionDeadline = now + member.SessionTimeoutMs;
            if (group.State is GroupState.Stable or GroupState.CompletingRebalance)
                group.AwaitingSync.Remove(memberId);
            switch (group.State)
            {
                case GroupState.PreparingRebalance:
                    return Task.FromResult(SyncFailure(ErrorCode.RebalanceInProgress));
                case GroupState.Stable:
                    return Task.FromResult(SyncSuccess(group, member.Assignment));
                case GroupState.CompletingRebalance:
                    member.CompleteSync(SyncFailure(ErrorCode.RebalanceInProgress));
                    var pending = member.PendingSync = new TaskCompletionSource<SyncGroupResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
                    if (group.IsLeader(memberId))
                        ApplyAssignment(group, assignments, now);
                    return pending.Task;
                default:
                    return Task.FromResult(SyncFailure(ErrorCode.UnknownMemberId));
            }
        }
    }

    /// <summary>The leader's assignment: stored first, then handed to every member waiting in SyncGroup.</summary>
    private void ApplyAssignment(ClassicGroup group, IReadOnlyDictionary<string, byte[]> assignments, long now)
    {
        foreach (var member in group.Members.Values)
            member.Assignment = assignments.GetValueOrDefault(member.MemberId) ?? [];
        var error = StoreGroup(group);
        if (error != ErrorCode.None)
        {
            logger.LogWarning("Storing the assignment of group {Group} generation {Generation} failed: {Error}", group.GroupId, group.GenerationId, error);
            foreach (var member in group.Members.Values)
            {
                member.Assignment = [];
                member.CompleteSync(SyncFailure(error));
            }
            PrepareRebalance(group, now, "storing the assignment failed");
            return;
        }
        group.TransitionTo(GroupState.Stable, now);
        foreach (var member in group.Members.Values)
            member.CompleteSync(SyncSuccess(group, member.Assignment));
        logger.LogInformation("Group {Group} is stable at generation {Generation} with {Members} members",
            group.GroupId, group.GenerationId, group.Members.Count);
    }

    /// <summary>Members that got the generation but did not sync within the rebalance timeout go, and the group rebalances without them.</summary>
    private void ExpireAwaitingSync(ClassicGroup group, long now)
    {
        if (group.State is not (GroupState.CompletingRebalance or GroupState.Stable) || group.AwaitingSync.Count == 0 || now < group.SyncDeadline)
            return;
        var late = group.AwaitingSync.ToList();
        logger.LogInformation("Members {Members} of group {Group} did not send SyncGroup for generation {Generation} in time; removing them",
            string.Join(", ", late), group.GroupId, group.GenerationId);
        foreach (var memberId in late)
        {
            var member = group.Members[memberId];
            member.CompleteJoin(JoinFailure(ErrorCode.UnknownMemberId, memberId));
            member.CompleteSync(SyncFailure(ErrorCode.UnknownMemberId));
            group.Remove(memberId);
        }
        PrepareRebalance(group, now, "members did not sync in time");
    }
}
