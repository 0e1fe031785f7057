using Broker.Config;
using Broker.Log;
using Broker.Metadata;
using Broker.Protocol.Wire;

namespace Broker.Replication;

/// <summary>What this node is for a hosted partition: its leader, one of its followers, or neither yet.</summary>
public enum PartitionRole
{
    None,
    Leader,
    Follower,
}

/// <summary>
/// A partition this node hosts: its log, the role the metadata gives this node, and signals that
/// fire on appends (for replica fetches) and high-watermark moves (for consumer fetches), so waiting
/// fetches wake up without polling. The leader's half (follower tracking, high watermark, ISR
/// changes, acks=all) is in Partition.Leader.cs, the follower's half in Partition.Follower.cs.
/// </summary>
/// <remarks>
/// Locks: <see cref="AppendLock"/> serializes writes to the log and role changes; the state lock
/// guards the role, the ISR and the followers' positions. The order is always AppendLock, then state.
/// </remarks>
public sealed partial class Partition
{
    private readonly object _state = new();
    private readonly ReplicaContext _context;
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _highWatermarkMoved = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Partition(TopicPartition id, PartitionLog log, TopicConfig config, ReplicaContext context, Uuid topicId = default)
    {
        Id = id;
        Log = log;
        Config = config;
        _context = context;
        TopicId = topicId;
    }

    public TopicPartition Id { get; }
    public Uuid TopicId { get; }
    public PartitionLog Log { get; }
    public TopicConfig Config { get; private set; }

    private volatile PartitionRole _role;
    private volatile int _leader = -1;
    private volatile int _leaderEpoch = -1;

    public PartitionRole Role => _role;
    public int Leader => _leader;
    public int LeaderEpoch => _leaderEpoch;
    public IReadOnlyList<int> Replicas { get; private set; } = [];

    /// <summary>Serializes appends and truncations: one writer per partition, readers go lock-free.</summary>
    public object AppendLock { get; } = new();

    /// <summary>Completes at the next append (or role change, or deletion) of this partition: what replica fetches wait for.</summary>
    public Task NextAppend => Volatile.Read(ref _appended).Task;

    /// <summary>Completes at the next high-watermark move (or role change, or deletion): what consumer fetches wait for.</summary>
    public Task NextHighWatermark => Volatile.Read(ref _highWatermarkMoved).Task;

    public void SignalAppend() => Interlocked.Exchange(ref _appended, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public void SignalHighWatermark() => Interlocked.Exchange(ref _highWatermarkMoved, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public void UpdateConfig(TopicConfig config)
    {
        Config = config;
        Log.UpdateConfig(LogConfigs.From(config));
    }

    /// <summary>Takes the role, leader and replicas <paramref name="image"/> gives this node; returns what changed.</summary>
    public RoleChange Apply(PartitionImage image, long nowMs)
    {
        lock (AppendLock)
            lock (_state)
            {
                var local = _context.LocalBrokerId;
                if (image.Leader == local)
                {
                    if (_role == PartitionRole.Leader && _leaderEpoch == image.LeaderEpoch)
                    {
                        UpdateLeaderAssignment(image, nowMs);
                        return RoleChange.None;
                    }
                    BecomeLeader(image, nowMs);
                    return RoleChange.BecameLeader;
                }
                var changed = _role != PartitionRole.Follower || _leaderEpoch != image.LeaderEpoch || _leader != image.Leader;
                BecomeFollower(image);
                return changed ? RoleChange.BecameFollower : RoleChange.None;
            }
    }

    /// <summary>The partition is no longer hosted here: waiting requests are answered and fetches woken.</summary>
    public void Stop()
    {
        lock (AppendLock)
            lock (_state)
            {
                _role = PartitionRole.None;
                _leader = -1;
                _remotes.Clear();
                CheckAckWaiters();
            }
        SignalAppend();
        SignalHighWatermark();
    }

    public override string ToString() => $"{Id} ({_role}, leader {_leader}, epoch {_leaderEpoch})";
}

/// <summary>How a metadata change moved a partition's role on this node.</summary>
public enum RoleChange
{
    None,
    BecameLeader,
    BecameFollower,
}
