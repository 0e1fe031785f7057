using Broker.Log;

namespace Broker.Groups;

/// <summary>
/// A classic group's state: generation, members (static ones also by instance id), the protocol chosen
/// for the current generation, and the group's committed offsets. Transitions are made by
/// <see cref="GroupCoordinator"/> under its lock; this type only holds and answers.
/// </summary>
public sealed class ClassicGroup(string groupId, int partition, long now)
{
    public string GroupId { get; } = groupId;

    /// <summary>The __consumer_offsets partition the group lives in.</summary>
    public int Partition { get; } = partition;

    public GroupState State { get; private set; } = GroupState.Empty;

    /// <summary>When the group entered its state; the retention of an empty group's offsets counts from here.</summary>
    public long StateTimestamp { get; private set; } = now;

    public int GenerationId { get; set; }
    public string? ProtocolType { get; set; }
    public string? ProtocolName { get; set; }
    public string? LeaderId { get; set; }

    public Dictionary<string, GroupMember> Members { get; } = new(StringComparer.Ordinal);

    /// <summary>Static members: group.instance.id to the member id currently holding it.</summary>
    public Dictionary<string, string> StaticMembers { get; } = new(StringComparer.Ordinal);

    /// <summary>Member ids handed out with MEMBER_ID_REQUIRED, with the time they lapse unless the member joins with them.</summary>
    public Dictionary<string, long> PendingMembers { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Members of the current generation that have not sent SyncGroup yet. A member that keeps
    /// heartbeating but never syncs would otherwise hold the group's assignment back for ever.
    /// </summary>
    public HashSet<string> AwaitingSync { get; } = new(StringComparer.Ordinal);

    /// <summary>When the members still in <see cref="AwaitingSync"/> are dropped: the rebalance timeout after the generation formed.</summary>
    public long SyncDeadline { get; set; }

    public Dictionary<TopicPartition, CommittedOffset> Offsets { get; } = [];

    /// <summary>While preparing a rebalance: when the join phase ends even if members are missing.</summary>
    public long JoinDeadline { get; set; }

    /// <summary>First rebalance of an empty group: the join phase waits until this time for more members (group.initial.rebalance.delay.ms).</summary>
    public long InitialDelayUntil { get; set; } = -1;

    /// <summary>Start of that delayed first join phase: the delay never stretches it past the rebalance timeout.</summary>
    public long InitialDelayStart { get; set; }

    public void TransitionTo(GroupState state, long now)
    {
        State = state;
        StateTimestamp = now;
    }

    /// <summary>Restores state and its timestamp from the log.</summary>
    public void Restore(GroupState state, long stateTimestamp)
    {
        State = state;
        StateTimestamp = stateTimestamp;
    }

    public bool IsLeader(string memberId) => LeaderId == memberId;

    public int RebalanceTimeoutMs => Members.Count == 0 ? 0 : Members.Values.Max(m => m.RebalanceTimeoutMs);

    public bool AllMembersJoined => PendingMembers.Count == 0 && Members.Values.All(m => m.PendingJoin is not null);

    /// <summary>
    /// A member may join with this protocol type and these protocols: the first member sets the type;
    /// later ones must share it and have at least one protocol every member supports.
    /// </summary>
    public bool Accepts(string protocolType, IReadOnlyList<(string Name, byte[] Metadata)> protocols, string? replacing = null)
    {
        if (string.IsNullOrEmpty(protocolType) || protocols.Count == 0)
            return false;
        if (Members.Count == 0)
            return true;
        var others = Members.Values.Where(m => m.MemberId != replacing).ToList();
        return protocolType == ProtocolType && protocols.Any(p => others.All(m => m.MetadataFor(p.Name) is not null));
    }

    /// <summary>Protocols every member supports; each member votes for its most preferred one; most votes wins.</summary>
    public string SelectProtocol()
    {
        var members = Members.Values.ToList();
        var candidates = members[0].Protocols.Select(p => p.Name)
            .Where(name => members.All(m => m.MetadataFor(name) is not null)).ToList();
        var votes = candidates.ToDictionary(c => c, _ => 0, StringComparer.Ordinal);
        foreach (var member in members)
            votes[member.Protocols.First(p => votes.ContainsKey(p.Name)).Name]++;
        return candidates.OrderByDescending(c => votes[c]).First();
    }

    public void Add(GroupMember member)
    {
        if (Members.Count == 0)
            ProtocolType = member.ProtocolType;
        Members[member.MemberId] = member;
        if (member.GroupInstanceId is { } instance)
            StaticMembers[instance] = member.MemberId;
        LeaderId ??= member.MemberId;
    }

    public void Remove(string memberId)
    {
        if (!Members.Remove(memberId, out var member))
            return;
        AwaitingSync.Remove(memberId);
        if (member.GroupInstanceId is { } instance && StaticMembers.GetValueOrDefault(instance) == memberId)
            StaticMembers.Remove(instance);
        if (LeaderId == memberId)
            LeaderId = Members.Keys.FirstOrDefault();
    }

    /// <summary>A static member rejoining under a new member id takes the old one's place, assignment included.</summary>
    public void ReplaceStaticMember(GroupMember old, string newMemberId)
    {
        Members.Remove(old.MemberId);
        var oldId = old.MemberId;
        old.MemberId = newMemberId;
        Members[newMemberId] = old;
        StaticMembers[old.GroupInstanceId!] = newMemberId;
        if (AwaitingSync.Remove(oldId))
            AwaitingSync.Add(newMemberId);
        if (LeaderId == oldId)
            LeaderId = newMemberId;
    }

    /// <summary>The topics members subscribe to, for the consumer protocol (null when the group uses another).</summary>
    public HashSet<string>? SubscribedTopics()
    {
        if (ProtocolType != "consumer" || ProtocolName is null)
            return null;
        var topics = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in Members.Values)
            if (member.MetadataFor(ProtocolName) is { } metadata && !ConsumerSubscription.TryAddTopics(metadata, topics))
                return null;
        return topics;
    }
}
