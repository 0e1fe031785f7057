using Broker.Log;
using Broker.Protocol;
using Microsoft.Extensions.Logging;

namespace Broker.Groups;

/// <summary>OffsetCommit, OffsetFetch, OffsetDelete and the expiry of offsets (offsets.retention.minutes).</summary>
public sealed partial class GroupCoordinator
{
    /// <summary>One error per requested partition, in request order. Acknowledged only once appended.</summary>
    public List<ErrorCode> CommitOffsets(OffsetCommitParams commit)
    {
        lock (_lock)
        {
            var now = clock();
            var error = CheckCommit(commit, now, out var group);
            if (error != ErrorCode.None)
                return commit.Offsets.Select(_ => error).ToList();
            var results = new List<ErrorCode>(commit.Offsets.Count);
            var records = new List<GroupRecord>();
            var accepted = new List<(TopicPartition, CommittedOffset)>();
            foreach (var (partition, offset, epoch, metadata) in commit.Offsets)
            {
                if (metadata is not null && metadata.Length > config.OffsetMetadataMaxBytes)
                {
                    results.Add(ErrorCode.OffsetMetadataTooLarge);
                    continue;
                }
                var expire = commit.RetentionTimeMs > 0 ? now + commit.RetentionTimeMs : -1;
                var committed = new CommittedOffset(offset, epoch, metadata ?? "", now, expire);
                records.Add(GroupRecordSerde.Offset(group!.GroupId, partition, committed));
                accepted.Add((partition, committed));
                results.Add(ErrorCode.None);
            }
            if (records.Count == 0)
                return results;
            var appendError = GroupLogErrors.ForOffsetCommit(log.Append(group!.Partition, records));
            if (appendError != ErrorCode.None)
            {
                logger.LogWarning("Offset commit of group {Group} failed: {Error}", group.GroupId, appendError);
                return results.Select(e => e == ErrorCode.None ? appendError : e).ToList();
            }
            foreach (var (partition, committed) in accepted)
                group.Offsets[partition] = committed;
            return results;
        }
    }

    /// <summary>
    /// Kafka's rules for classic groups: a commit without generation and member comes from a tool and
    /// is only taken by an empty group (one is created if needed); a member's commit must name a
    /// current member and the current generation, and not arrive while the assignment is being formed.
    /// </summary>
    private ErrorCode CheckCommit(OffsetCommitParams commit, long now, out ClassicGroup? group)
    {
        var error = Locate(commit.GroupId, out var partition);
        group = null;
        if (error != ErrorCode.None)
            return error;
        if (!_groups.TryGetValue(commit.GroupId, out group))
        {
            if (commit.GenerationId >= 0)
                return ErrorCode.IllegalGeneration;
            _groups[commit.GroupId] = group = new ClassicGroup(commit.GroupId, partition, now);
        }
        if (group.State == GroupState.Dead)
            return ErrorCode.CoordinatorNotAvailable;
        if (commit.GenerationId < 0 && commit.MemberId == "" && commit.GroupInstanceId is null)
            return group.State == GroupState.Empty ? ErrorCode.None : ErrorCode.UnknownMemberId;
        // Anything naming a member or generation must be the current member in the current generation,
        // even in an empty group: a consumer that lost its membership does not commit as a tool would.
        error = ValidateMember(group, commit.MemberId, commit.GroupInstanceId);
        if (error != ErrorCode.None)
            return error;
        if (commit.GenerationId != group.GenerationId)
            return ErrorCode.IllegalGeneration;
        if (group.State == GroupState.CompletingRebalance)
            return ErrorCode.RebalanceInProgress;
        // A commit is a sign of life, as a heartbeat is.
        var member = group.Members[commit.MemberId];
        member.SessionDeadline = now + member.SessionTimeoutMs;
        return ErrorCode.None;
    }

    /// <summary>
    /// Committed offsets of a group: all of them when <paramref name="partitions"/> is null, else those
    /// asked for, -1 where none is committed. A group this node does not know has no offsets.
    /// </summary>
    public (ErrorCode Error, List<(TopicPartition Partition, CommittedOffset? Offset)> Offsets) FetchOffsets(
        string groupId, IReadOnlyList<TopicPartition>? partitions)
    {
        lock (_lock)
        {
            var error = Locate(groupId, out _);
            if (error != ErrorCode.None)
                return (error, []);
            var group = _groups.GetValueOrDefault(groupId);
            if (partitions is null)
                return (ErrorCode.None, group?.Offsets.OrderBy(o => o.Key.Topic, StringComparer.Ordinal).ThenBy(o => o.Key.Partition)
                    .Select(o => (o.Key, (CommittedOffset?)o.Value)).ToList() ?? []);
            return (ErrorCode.None, partitions.Select(p => (p, group?.Offsets.GetValueOrDefault(p))).ToList());
        }
    }

    /// <summary>
    /// OffsetDelete: the group-level error and one per partition. A consumer group still subscribed to
    /// a topic keeps that topic's offsets (GROUP_SUBSCRIBED_TO_TOPIC).
    /// </summary>
    public (ErrorCode Error, List<ErrorCode> Partitions) DeleteOffsets(string groupId, IReadOnlyList<TopicPartition> partitions)
    {
        lock (_lock)
        {
            var error = Locate(groupId, out _);
            if (error != ErrorCode.None)
                return (error, []);
            if (!_groups.TryGetValue(groupId, out var group) || group.State == GroupState.Dead)
                return (ErrorCode.GroupIdNotFound, []);
            HashSet<string>? subscribed = null;
            if (group.State != GroupState.Empty)
            {
                subscribed = group.SubscribedTopics();
                if (subscribed is null)
                    return (ErrorCode.NonEmptyGroup, []);
            }
            var results = new List<ErrorCode>(partitions.Count);
            var deleted = new List<TopicPartition>();
            foreach (var partition in partitions)
            {
                if (subscribed?.Contains(partition.Topic) == true)
                    results.Add(ErrorCode.GroupSubscribedToTopic);
                else
                {
                    results.Add(ErrorCode.None);
                    if (group.Offsets.ContainsKey(partition))
                        deleted.Add(partition);
                }
            }
            error = RemoveOffsets(group, deleted);
            return error == ErrorCode.None ? (ErrorCode.None, results) : (error, []);
        }
    }

    private ErrorCode RemoveOffsets(ClassicGroup group, IReadOnlyList<TopicPartition> partitions)
    {
        if (partitions.Count == 0)
            return ErrorCode.None;
        var error = AppendGroupRecords(group, partitions.Select(p => new GroupRecord(GroupRecordSerde.OffsetKey(group.GroupId, p), null)).ToList());
        if (error == ErrorCode.None)
            foreach (var partition in partitions)
                group.Offsets.Remove(partition);
        return error;
    }

    /// <summary>Expires what <see cref="ExpiredOffsets"/> finds; an empty group left without offsets is deleted.</summary>
    private void ExpireOffsets(ClassicGroup group, long now)
    {
        var expired = ExpiredOffsets(group, now);
        if (expired.Count > 0 && RemoveOffsets(group, expired) == ErrorCode.None)
            logger.LogInformation("Expired {Count} offsets of group {Group}", expired.Count, group.GroupId);
        if (group.State == GroupState.Empty && group.Offsets.Count == 0 && group.PendingMembers.Count == 0)
            DeleteGroup(group, now);
    }

    /// <summary>
    /// offsets.retention.minutes as Kafka applies it: a standalone group's (no protocol) offsets each
    /// age from their commit; an empty group's all age from when it became empty; a stable consumer
    /// group keeps the offsets of topics its members subscribe to, while the others age from their
    /// commit (a topic the group stopped reading does not keep its offsets for ever). Other states
    /// expire nothing. An offset committed with an explicit retention (OffsetCommit v2-v4) expires
    /// at its own time instead.
    /// </summary>
    private List<TopicPartition> ExpiredOffsets(ClassicGroup group, long now)
    {
        var retention = config.OffsetsRetentionMs;
        bool Due(CommittedOffset offset, long since) =>
            offset.ExpireTimestamp >= 0 ? now >= offset.ExpireTimestamp : now - since >= retention;
        IEnumerable<KeyValuePair<TopicPartition, CommittedOffset>> expired;
        if (group.ProtocolType is null)
            expired = group.Offsets.Where(o => Due(o.Value, o.Value.CommitTimestamp));
        else if (group.State == GroupState.Empty)
            expired = group.Offsets.Where(o => Due(o.Value, group.StateTimestamp));
        else if (group.State == GroupState.Stable && group.SubscribedTopics() is { } subscribed)
            expired = group.Offsets.Where(o => !subscribed.Contains(o.Key.Topic) && Due(o.Value, o.Value.CommitTimestamp));
        else
            return [];
        return expired.Select(o => o.Key).ToList();
    }

    private ErrorCode DeleteGroup(ClassicGroup group, long now)
    {
        var records = group.Offsets.Keys.Select(p => new GroupRecord(GroupRecordSerde.OffsetKey(group.GroupId, p), null)).ToList();
        records.Add(new GroupRecord(GroupRecordSerde.GroupKey(group.GroupId), null));
        var error = AppendGroupRecords(group, records);
        if (error != ErrorCode.None)
            return error;
        group.TransitionTo(GroupState.Dead, now);
        _groups.Remove(group.GroupId);
        logger.LogInformation("Group {Group} deleted", group.GroupId);
        return ErrorCode.None;
    }
}
