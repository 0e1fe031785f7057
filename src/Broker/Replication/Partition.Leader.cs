using Broker.Log;
using Broker.Metadata;
using Broker.Protocol;
using Microsoft.Extensions.Logging;

namespace Broker.Replication;

/// <summary>What a leader answers one partition of a follower's fetch.</summary>
public readonly record struct FollowerRead(
    ErrorCode Error, FileRegion Records, long HighWatermark, long LogStartOffset, int DivergingEpoch = -1, long DivergingEndOffset = -1)
{
    public static FollowerRead Failed(ErrorCode error, long logStartOffset = -1) => new(error, FileRegion.Empty, -1, logStartOffset);
}

public sealed partial class Partition
{
    private readonly Dictionary<int, RemoteReplica> _remotes = [];
    private readonly AckWaiters _ackWaiters = new();
    private IsrState _isr = new([], -1);
    private long _leaderEpochStartOffset;
    private long _noProposalBeforeMs;

    /// <summary>The ISR as this node knows it: the controller's last committed one, and any proposal in flight.</summary>
    public IsrState Isr
    {
        get
        {
            lock (_state)
                return _isr;
        }
    }

    /// <summary>Committed ISR size, for min.insync.replicas: the leader counts what the controller accepted, as Kafka does.</summary>
    public int InSyncReplicaCount
    {
        get
        {
            lock (_state)
                return _isr.Isr.Count;
        }
    }

    private void BecomeLeader(PartitionImage image, long nowMs)
    {
        var previous = _role;
        _role = PartitionRole.Leader;
        _leader = _context.LocalBrokerId;
        _leaderEpoch = image.LeaderEpoch;
        Replicas = image.Replicas;
        _isr = new IsrState(image.Isr, image.PartitionEpoch);
        // The new epoch starts where this log ends (KIP-101): followers that fetched past it under an
        // older epoch learn from their divergence where to truncate.
        _leaderEpochStartOffset = Log.LogEndOffset;
        Log.LeaderEpochs.Assign(image.LeaderEpoch, _leaderEpochStartOffset);
        _remotes.Clear();
        // ISR members get a full replica.lag.time.max.ms from now to show they are caught up.
        foreach (var replica in image.Replicas)
            if (replica != _context.LocalBrokerId)
                _remotes[replica] = new RemoteReplica(replica, image.Isr.Contains(replica) ? nowMs : 0);
        _context.Logger.LogInformation(
            "{Partition}: leader at epoch {Epoch} from offset {Offset} (was {Previous}), ISR [{Isr}], high watermark {HighWatermark}",
            Id, image.LeaderEpoch, _leaderEpochStartOffset, previous, string.Join(",", image.Isr), Log.HighWatermark);
        MaybeIncrementHighWatermark();
        CheckAckWaiters();
        SignalAppend();
        // Elected uncleanly (KIP-704): this log is the truth now; tell the controller it has recovered
        // before any follower can join (the controller refuses a larger ISR while RECOVERING).
        if (image.LeaderRecoveryState == PartitionImage.Recovering)
            Propose([_context.LocalBrokerId], nowMs);
    }

    /// <summary>Same leader epoch, new partition epoch: the controller changed the ISR or the replicas (a reassignment).</summary>
    private void UpdateLeaderAssignment(PartitionImage image, long nowMs)
    {
        if (image.PartitionEpoch <= _isr.PartitionEpoch)
            return;
        Replicas = image.Replicas;
        foreach (var replica in image.Replicas)
            if (replica != _context.LocalBrokerId && !_remotes.ContainsKey(replica))
                _remotes[replica] = new RemoteReplica(replica, 0);
        foreach (var gone in _remotes.Keys.Where(r => !image.Replicas.Contains(r)).ToList())
            _remotes.Remove(gone);
        if (!_isr.Isr.SequenceEqual(image.Isr))
            _context.Logger.LogInformation("{Partition}: ISR now [{Isr}] (partition epoch {PartitionEpoch})",
                Id, string.Join(",", image.Isr), image.PartitionEpoch);
        // A proposal still in flight is answered against an older epoch and will be ignored.
        _isr = new IsrState(image.Isr, image.PartitionEpoch);
        MaybeIncrementHighWatermark();
        CheckAckWaiters();
    }

    /// <summary>
    /// Leader side of a replica fetch for this partition: detects divergence (KIP-320), records the
    /// follower's position (which may move the high watermark or expand the ISR) and reads from
    /// <paramref name="fetchOffset"/> up to the log end. <paramref name="recordPosition"/> is false on
    /// the re-reads of a fetch that waited for data, whose position was already recorded.
    /// </summary>
    public FollowerRead ReadForFollower(
        int replicaId, long brokerEpoch, long fetchOffset, int lastFetchedEpoch, int currentLeaderEpoch, int maxBytes, long nowMs, bool recordPosition = true)
    {
        lock (_state)
        {
            if (_role != PartitionRole.Leader)
                return FollowerRead.Failed(ErrorCode.NotLeaderOrFollower);
            if (currentLeaderEpoch >= 0 && currentLeaderEpoch != _leaderEpoch)
                return FollowerRead.Failed(currentLeaderEpoch < _leaderEpoch ? ErrorCode.FencedLeaderEpoch : ErrorCode.UnknownLeaderEpoch);
            if (!_remotes.ContainsKey(replicaId))
                return FollowerRead.Failed(ErrorCode.NotLeaderOrFollower);
        }
        var log = Log;
        var highWatermark = log.HighWatermark;
        var logStartOffset = log.LogStartOffset;
        if (lastFetchedEpoch >= 0)
        {
            var (epoch, endOffset) = log.EndOffsetForEpoch(lastFetchedEpoch);
            if (epoch < lastFetchedEpoch || endOffset < fetchOffset)
                // The follower's log holds offsets this leader's does not: it truncates and asks again.
                return new FollowerRead(ErrorCode.None, FileRegion.Empty, highWatermark, logStartOffset, epoch, endOffset);
        }
        var logEndOffset = log.LogEndOffset;
        if (fetchOffset < logStartOffset || fetchOffset > logEndOffset)
            return FollowerRead.Failed(ErrorCode.OffsetOutOfRange, logStartOffset);
        if (recordPosition)
        {
            lock (_state)
            {
                if (_role != PartitionRole.Leader || !_remotes.TryGetValue(replicaId, out var replica))
                    return FollowerRead.Failed(ErrorCode.NotLeaderOrFollower);
                replica.OnFetch(fetchOffset, brokerEpoch, logEndOffset, nowMs);
                MaybeExpandIsr(replica, nowMs);
                if (MaybeIncrementHighWatermark())
                    highWatermark = log.HighWatermark;
            }
        }
        LogReadResult read;
        try
        {
            read = log.Read(fetchOffset, maxBytes, maxOffset: long.MaxValue, minOneBatch: true);
        }
        catch (OffsetOutOfRangeException)
        {
            return FollowerRead.Failed(ErrorCode.OffsetOutOfRange, log.LogStartOffset);
        }
        return new FollowerRead(ErrorCode.None, read.Records, highWatermark, logStartOffset);
    }

    /// <summary>The leader appended: a partition whose ISR is this node alone commits at once.</summary>
    public void AfterLeaderAppend()
    {
        lock (_state)
            if (_role == PartitionRole.Leader)
                MaybeIncrementHighWatermark();
        SignalAppend();
    }

    /// <summary>
    /// acks=all: completes when the high watermark reaches <paramref name="requiredOffset"/> (NONE, or
    /// NOT_ENOUGH_REPLICAS_AFTER_APPEND if the ISR is then below min.insync.replicas), when this node
    /// stops leading at <paramref name="leaderEpoch"/> (NOT_LEADER_OR_FOLLOWER), or at
    /// <paramref name="timeout"/> (REQUEST_TIMED_OUT).
    /// </summary>
    public Task<ErrorCode> WaitForAcksAsync(long requiredOffset, int leaderEpoch, CancellationToken timeout)
    {
        var task = _ackWaiters.Add(requiredOffset, leaderEpoch, timeout);
        lock (_state)
            CheckAckWaiters();
        return task;
    }

    /// <summary>Answers waiting acks=all requests that can be answered now. Caller holds the state lock.</summary>
    private void CheckAckWaiters()
    {
        var role = _role;
        var epoch = _leaderEpoch;
        var highWatermark = Log.HighWatermark;
        var inSync = _isr.Isr.Count;
        var minInSync = Config.MinInsyncReplicas;
        _ackWaiters.Check((required, appendEpoch) =>
            role != PartitionRole.Leader || epoch != appendEpoch ? ErrorCode.NotLeaderOrFollower
            : highWatermark >= required ? (inSync >= minInSync ? ErrorCode.None : ErrorCode.NotEnoughReplicasAfterAppend)
            : null);
    }

    /// <summary>
    /// The high watermark is the smallest log end offset among the leader and the followers in the
    /// maximal ISR. Returns whether it moved. Caller holds the state lock.
    /// </summary>
    private bool MaybeIncrementHighWatermark()
    {
        var log = Log;
        var candidate = log.LogEndOffset;
        foreach (var replica in _remotes.Values)
            if (replica.LogEndOffset < candidate && _isr.InMaximalIsr(replica.BrokerId))
                candidate = replica.LogEndOffset;
        if (candidate <= log.HighWatermark)
            return false;
        log.UpdateHighWatermark(candidate);
        CheckAckWaiters();
        SignalHighWatermark();
        return true;
    }

    /// <summary>A follower outside the ISR that reached the high watermark in this leader's epoch is proposed as a member.</summary>
    private void MaybeExpandIsr(RemoteReplica replica, long nowMs)
    {
        if (_isr.IsInflight || _isr.Isr.Contains(replica.BrokerId) || nowMs < _noProposalBeforeMs)
            return;
        if (replica.LogEndOffset < Log.HighWatermark || replica.LogEndOffset < _leaderEpochStartOffset)
            return;
        if (!_context.IsIsrEligible(replica.BrokerId, replica.BrokerEpoch))
            return;
        _context.Logger.LogInformation("{Partition}: expanding ISR from [{Isr}] to add {Replica} (its log end offset {Offset})",
            Id, string.Join(",", _isr.Isr), replica.BrokerId, replica.LogEndOffset);
        Propose([.. _isr.Isr, replica.BrokerId], nowMs);
    }

    /// <summary>Followers that have not caught up within replica.lag.time.max.ms are proposed out of the ISR.</summary>
    public void MaybeShrinkIsr(long nowMs)
    {
        lock (_state)
        {
            if (_role != PartitionRole.Leader || _isr.IsInflight || nowMs < _noProposalBeforeMs)
                return;
            var logEndOffset = Log.LogEndOffset;
            var lagging = _isr.Isr.Where(r => r != _context.LocalBrokerId
                && (!_remotes.TryGetValue(r, out var replica) || !replica.IsCaughtUp(logEndOffset, nowMs, _context.ReplicaLagTimeMaxMs))).ToList();
            if (lagging.Count == 0)
                return;
            _context.Logger.LogInformation("{Partition}: shrinking ISR from [{Isr}] to remove [{Lagging}]: not caught up within {Lag} ms",
                Id, string.Join(",", _isr.Isr), string.Join(",", lagging), _context.ReplicaLagTimeMaxMs);
            Propose(_isr.Isr.Where(r => !lagging.Contains(r)).ToList(), nowMs);
        }
    }

    private void Propose(IReadOnlyList<int> newIsr, long nowMs)
    {
        var sent = _isr with { Proposed = newIsr };
        _isr = sent;
        var members = newIsr.Select(r => new IsrMember(r,
            r == _context.LocalBrokerId ? _context.LocalBrokerEpoch() : _remotes.TryGetValue(r, out var replica) ? replica.BrokerEpoch : -1)).ToList();
        _context.AlterIsr.Submit(new AlterIsrRequest(TopicId, Id.Topic, Id.Partition, _leaderEpoch, sent.PartitionEpoch, members,
            outcome => OnAlterIsrAnswered(sent, outcome, nowMs)));
    }

    private void OnAlterIsrAnswered(IsrState sent, AlterIsrOutcome outcome, long sentAtMs)
    {
        lock (_state)
        {
            // The metadata moved on meanwhile (a newer partition epoch or leadership): that is the truth now.
            if (!ReferenceEquals(_isr, sent) || _role != PartitionRole.Leader)
                return;
            if (outcome.Error == ErrorCode.None && outcome.LeaderEpoch == _leaderEpoch)
            {
                _isr = outcome.PartitionEpoch > sent.PartitionEpoch ? new IsrState(outcome.Isr, outcome.PartitionEpoch) : sent with { Proposed = null };
                _context.Logger.LogInformation("{Partition}: ISR [{Isr}] committed at partition epoch {PartitionEpoch}",
                    Id, string.Join(",", _isr.Isr), _isr.PartitionEpoch);
                MaybeIncrementHighWatermark();
                CheckAckWaiters();
                return;
            }
            // Refused: back to the committed ISR; the next check proposes again once the metadata catches up.
            _context.Logger.LogWarning("{Partition}: the controller refused ISR [{Isr}]: {Error}",
                Id, string.Join(",", sent.Proposed ?? []), outcome.Error);
            _isr = sent with { Proposed = null };
            _noProposalBeforeMs = sentAtMs + 100;
        }
    }
}
