using Broker.Handlers;
using Broker.Metadata;
using Broker.Protocol;
using Broker.Protocol.GroupCoordinator;
using Microsoft.Extensions.Logging;

namespace Broker.Groups;

/// <summary>
/// The classic group coordinator for the __consumer_offsets partitions this node leads. All state
/// changes happen under one lock; time comes from an injected clock and advances through
/// <see cref="Tick"/>, so tests drive sessions, join deadlines and offset expiry without sleeping.
/// Every change that must survive a restart is appended to the group's partition before it is
/// acknowledged; leading a partition loads its groups from the log.
/// </summary>
public sealed partial class GroupCoordinator(IGroupLog log, GroupConfig config, Func<long> clock, ILogger logger)
{
    private readonly object _lock = new();
    private readonly Dictionary<string, ClassicGroup> _groups = new(StringComparer.Ordinal);
    private readonly HashSet<int> _owned = [];
    private int _partitionCount;
    private long _nextExpiryCheck = -1;

    public static long SystemClock() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Loads the partitions this node now leads and drops those it no longer does.</summary>
    public void OnMetadataChanged(MetadataImage previous, MetadataImage current, int nodeId)
    {
        var topic = current.Topic(ReplicaGroupLog.Topic);
        lock (_lock)
        {
            _partitionCount = topic?.Partitions.Count ?? 0;
            var led = topic?.Partitions.Where(p => p.Leader == nodeId).Select(p => p.PartitionId).ToHashSet() ?? [];
            foreach (var partition in _owned.Where(p => !led.Contains(p)).ToList())
                Unload(partition);
            foreach (var partition in led.Where(p => !_owned.Contains(p)).OrderBy(p => p))
                Load(partition);
        }
    }

    /// <summary>Sets the partition count and loads partitions directly (tests, without a metadata image).</summary>
    public void Own(int partitionCount, IEnumerable<int> partitions)
    {
        lock (_lock)
        {
            _partitionCount = partitionCount;
            foreach (var partition in partitions)
                if (!_owned.Contains(partition))
                    Load(partition);
        }
    }

    public void Disown(int partition)
    {
        lock (_lock)
            Unload(partition);
    }

    /// <summary>Ends sessions and join phases that are due, and expires offsets when the check interval has passed.</summary>
    public void Tick()
    {
        lock (_lock)
        {
            var now = clock();
            foreach (var group in _groups.Values.ToList())
                ExpireMembers(group, now);
            if (now >= _nextExpiryCheck)
            {
                _nextExpiryCheck = now + config.OffsetsRetentionCheckIntervalMs;
                foreach (var group in _groups.Values.ToList())
                    ExpireOffsets(group, now);
            }
        }
    }

    /// <summary>The checks every group request makes first: a valid id whose partition this node coordinates.</summary>
    private ErrorCode Locate(string groupId, out int partition)
    {
        partition = -1;
        if (string.IsNullOrEmpty(groupId))
            return ErrorCode.InvalidGroupId;
        if (_partitionCount == 0)
            return ErrorCode.NotCoordinator;
        partition = FindCoordinatorHandler.PartitionFor(groupId, _partitionCount);
        return _owned.Contains(partition) ? ErrorCode.None : ErrorCode.NotCoordinator;
    }

    private void Load(int partition)
    {
        var metadata = new Dictionary<string, GroupMetadataValue?>(StringComparer.Ordinal);
        var offsets = new Dictionary<string, Dictionary<Log.TopicPartition, CommittedOffset>>(StringComparer.Ordinal);
        var records = 0;
        foreach (var record in log.ReadAll(partition))
        {
            records++;
            GroupRecordSerde.Decoded? decoded;
            try
            {
                decoded = GroupRecordSerde.Decode(record.Key, record.Value);
            }
            catch (ProtocolException e)
            {
                logger.LogWarning("Skipping an unreadable record in {Topic}-{Partition}: {Error}", ReplicaGroupLog.Topic, partition, e.Message);
                continue;
            }
            switch (decoded)
            {
                case GroupRecordSerde.OffsetRecord { Offset: { } committed } o:
                    if (!offsets.TryGetValue(o.Group, out var map))
                        offsets[o.Group] = map = [];
                    map[o.Partition] = committed;
                    break;
                case GroupRecordSerde.OffsetRecord o:
                    offsets.GetValueOrDefault(o.Group)?.Remove(o.Partition);
                    break;
                case GroupRecordSerde.GroupMetadataRecord g:
                    metadata[g.Group] = g.Value;
                    break;
            }
        }
        var now = clock();
        foreach (var id in metadata.Keys.Union(offsets.Keys))
        {
            var value = metadata.GetValueOrDefault(id);
            var groupOffsets = offsets.GetValueOrDefault(id);
            if (value is null && (groupOffsets is null || groupOffsets.Count == 0))
                continue;
            var group = new ClassicGroup(id, partition, now);
            if (value is not null)
                Restore(group, value, now);
            foreach (var (tp, offset) in groupOffsets ?? [])
                group.Offsets[tp] = offset;
            _groups[id] = group;
        }
        _owned.Add(partition);
        logger.Log(records > 0 ? LogLevel.Information : LogLevel.Debug, "Loaded {Groups} groups from {Records} records of {Topic}-{Partition}",
            _groups.Values.Count(g => g.Partition == partition), records, ReplicaGroupLog.Topic, partition);
    }

    private static void Restore(ClassicGroup group, GroupMetadataValue value, long now)
    {
        group.GenerationId = value.generation;
        group.ProtocolType = string.IsNullOrEmpty(value.protocolType) ? null : value.protocolType;
        group.ProtocolName = value.protocol;
        foreach (var m in value.members)
            group.Add(new GroupMember(m.memberId, m.groupInstanceId, m.clientId, m.clientHost)
            {
                SessionTimeoutMs = m.sessionTimeout,
                RebalanceTimeoutMs = m.rebalanceTimeout < 0 ? m.sessionTimeout : m.rebalanceTimeout,
                ProtocolType = value.protocolType,
                Protocols = value.protocol is null ? [] : [(value.protocol, m.subscription)],
                Assignment = m.assignment,
                // A reloaded member gets a full session to find the new coordinator.
                SessionDeadline = now + m.sessionTimeout,
            });
        group.LeaderId = value.leader;
        var stateTimestamp = value.currentStateTimestamp >= 0 ? value.currentStateTimestamp : now;
        group.Restore(group.Members.Count > 0 ? GroupState.Stable : GroupState.Empty, stateTimestamp);
    }

    private void Unload(int partition)
    {
        foreach (var group in _groups.Values.Where(g => g.Partition == partition).ToList())
        {
            foreach (var member in group.Members.Values)
            {
                member.CompleteJoin(JoinFailure(ErrorCode.NotCoordinator, member.MemberId));
                member.CompleteSync(SyncFailure(ErrorCode.NotCoordinator));
            }
            group.TransitionTo(GroupState.Dead, clock());
            _groups.Remove(group.GroupId);
        }
        _owned.Remove(partition);
        logger.LogDebug("Unloaded the groups of {Topic}-{Partition}", ReplicaGroupLog.Topic, partition);
    }

    /// <summary>Writes the group's metadata (members, assignments, generation) to its partition.</summary>
    private ErrorCode StoreGroup(ClassicGroup group) => AppendGroupRecords(group, [GroupRecordSerde.Group(group)]);

    /// <summary>Appends records other than offset commits (group metadata, tombstones): a failure is told as Kafka tells it for those.</summary>
    private ErrorCode AppendGroupRecords(ClassicGroup group, IReadOnlyList<GroupRecord> records) =>
        GroupLogErrors.ForGroupWrite(log.Append(group.Partition, records));
}
