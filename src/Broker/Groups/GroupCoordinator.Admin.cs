using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Groups;

/// <summary>DescribeGroups, ListGroups and DeleteGroups.</summary>
public sealed partial class GroupCoordinator
{
    /// <summary>A group as DescribeGroups shows it; member metadata and assignments only once it is stable.</summary>
    public DescribeGroupsResponse.DescribedGroup Describe(string groupId)
    {
        lock (_lock)
        {
            var described = new DescribeGroupsResponse.DescribedGroup { GroupId = groupId };
            var error = Locate(groupId, out _);
            if (error != ErrorCode.None)
            {
                described.ErrorCode = (short)error;
                return described;
            }
            if (!_groups.TryGetValue(groupId, out var group))
            {
                described.GroupState = nameof(GroupState.Dead);
                return described;
            }
            var stable = group.State == GroupState.Stable;
            described.GroupState = group.State.ToString();
            described.ProtocolType = group.ProtocolType ?? "";
            described.ProtocolData = stable ? group.ProtocolName ?? "" : "";
            foreach (var member in group.Members.Values)
                described.Members.Add(new DescribeGroupsResponse.DescribedGroupMember
                {
                    MemberId = member.MemberId,
                    GroupInstanceId = member.GroupInstanceId,
                    ClientId = member.ClientId,
                    ClientHost = member.ClientHost,
                    MemberMetadata = stable ? member.MetadataFor(group.ProtocolName) ?? [] : [],
                    MemberAssignment = stable ? member.Assignment : [],
                });
            return described;
        }
    }

    /// <summary>Groups of the partitions loaded here, filtered by state and type (case-insensitive; empty filters take all).</summary>
    public List<ListGroupsResponse.ListedGroup> List(IReadOnlyCollection<string> states, IReadOnlyCollection<string> types)
    {
        lock (_lock)
        {
            if (types.Count > 0 && !types.Contains("classic", StringComparer.OrdinalIgnoreCase))
                return [];
            return _groups.Values
                .Where(g => states.Count == 0 || states.Contains(g.State.ToString(), StringComparer.OrdinalIgnoreCase))
                .OrderBy(g => g.GroupId, StringComparer.Ordinal)
                .Select(g => new ListGroupsResponse.ListedGroup
                {
                    GroupId = g.GroupId, ProtocolType = g.ProtocolType ?? "", GroupState = g.State.ToString(), GroupType = "classic",
                }).ToList();
        }
    }

    /// <summary>DeleteGroups: only an empty group goes, with its offsets.</summary>
    public ErrorCode DeleteGroup(string groupId)
    {
        lock (_lock)
        {
            var error = Locate(groupId, out _);
            if (error != ErrorCode.None)
                return error;
            if (!_groups.TryGetValue(groupId, out var group) || group.State == GroupState.Dead)
                return ErrorCode.GroupIdNotFound;
            if (group.State != GroupState.Empty)
                return ErrorCode.NonEmptyGroup;
            return DeleteGroup(group, clock());
        }
    }
}
