using Broker.Protocol;

namespace Broker.Raft.Core;

// Pull replication: followers and observers fetch from the leader, which validates the fetch
// position (divergence, snapshot) and tracks progress; FetchSnapshot for those behind the log start.
public sealed partial class RaftNode
{
    private bool _fetchInFlight;
    private long _fetchSentAt;
    private long _retryAt;
    private SnapshotDownload? _snapshotDownload;

    private sealed class SnapshotDownload(SnapshotId id)
    {
        public SnapshotId Id { get; } = id;
        public MemoryStream Data { get; } = new();
    }

    private void ResetFetchState()
    {
        _fetchInFlight = false;
        _snapshotDownload = null;
        _retryAt = 0;
    }

    private void SendFetch() => SendFetchTo(_leaderId);

    private void SendFetchTo(int target)
    {
        if (target < 0 || target == _config.NodeId) return;
        _fetchInFlight = true;
        _fetchSentAt = _now;
        if (_snapshotDownload is { } d)
            Send(target, new FetchSnapshotRequest(_config.NodeId, _epoch, d.Id, d.Data.Length));
        else
            Send(target, new FetchRequest(_config.NodeId, _epoch, _log.EndOffset, _log.LastEpoch));
    }

    private void FollowerTick()
    {
        if (_now >= _fetchDeadline)
        {
            if (_config.IsVoter) BecomeProspective();
            else BecomeUnattached(_epoch, -1);
            return;
        }
        if ((_fetchInFlight && _now >= _fetchSentAt + _config.RequestTimeoutMs) || (!_fetchInFlight && _now >= _retryAt))
            SendFetch();
    }

    /// <summary>An observer without a leader asks a random voter; the reply names the leader.</summary>
    private void ObserverDiscoveryTick()
    {
        if (_fetchInFlight ? _now < _fetchSentAt + _config.RequestTimeoutMs : _now < _retryAt) return;
        SendFetchTo(_config.Voters[_random.Next(_config.Voters.Count)]);
    }

    private void HandleFetchRequest(int from, FetchRequest r)
    {
        if (Role != RaftRole.Leader || r.CurrentLeaderEpoch != _epoch)
        {
            var error = r.CurrentLeaderEpoch < _epoch ? ErrorCode.FencedLeaderEpoch
                : r.CurrentLeaderEpoch > _epoch ? ErrorCode.UnknownLeaderEpoch
                : ErrorCode.NotLeaderOrFollower;
            Send(from, FetchError(error, r));
            return;
        }
        AnswerFetch(from, r, allowPark: true);
    }

    private FetchResponse FetchError(ErrorCode error, FetchRequest r) =>
        new(error, new LeaderAndEpoch(KnownLeader, _epoch), _highWatermark, _log.StartOffset, null, null, [], r.FetchOffset, r.LastFetchedEpoch);

    private void AnswerFetch(int from, FetchRequest r, bool allowPark)
    {
        if (!_replicas.TryGetValue(from, out var progress))
            _replicas[from] = progress = new ReplicaProgress(from, _config.Voters.Contains(from));
        if (allowPark) progress.LastFetchTimestamp = _now; // a fresh request, not a parked one answered late
        var leader = new LeaderAndEpoch(_config.NodeId, _epoch);

        var epochEnd = r.FetchOffset < _log.StartOffset ? EpochEndOffset.Unknown : _log.EndOffsetForEpoch(r.LastFetchedEpoch);
        if (epochEnd.IsUnknown)
        {
            // Behind our log start: the follower must load the snapshot first.
            var error = _log.Snapshot is null ? ErrorCode.OffsetOutOfRange : ErrorCode.None;
            Send(from, new FetchResponse(error, leader, _highWatermark, _log.StartOffset, null, _log.Snapshot, [], r.FetchOffset, r.LastFetchedEpoch));
            return;
        }
        if (epochEnd.Epoch != r.LastFetchedEpoch || epochEnd.EndOffset < r.FetchOffset)
        {
            Send(from, new FetchResponse(ErrorCode.None, leader, _highWatermark, _log.StartOffset, epochEnd, null, [], r.FetchOffset, r.LastFetchedEpoch));
            return;
        }

        // The replica's log matches ours below FetchOffset.
        if (progress.EndOffset != r.FetchOffset || progress.LastCaughtUpTimestamp < 0)
        {
            if (r.FetchOffset >= _log.EndOffset) progress.LastCaughtUpTimestamp = _now;
            else if (r.FetchOffset >= progress.LeaderEndAtLastFetch && progress.LeaderEndAtLastFetch >= 0)
                progress.LastCaughtUpTimestamp = Math.Max(progress.LastCaughtUpTimestamp, progress.LastFetchTimestamp);
        }
        else if (r.FetchOffset >= _log.EndOffset) progress.LastCaughtUpTimestamp = _now;
        progress.LeaderEndAtLastFetch = _log.EndOffset;
        progress.EndOffset = r.FetchOffset;
        if (progress.IsVoter) MaybeAdvanceHighWatermark();

        var batches = _log.Read(r.FetchOffset, _config.MaxBatchesPerFetch);
        if (batches.Count == 0 && allowPark && _config.FetchMaxWaitMs > 0)
        {
            _parkedFetches[from] = (r, _now + _config.FetchMaxWaitMs);
            return;
        }
        Send(from, new FetchResponse(ErrorCode.None, leader, _highWatermark, _log.StartOffset, null, null, batches, r.FetchOffset, r.LastFetchedEpoch));
    }

    private void HandleFetchResponse(int from, FetchResponse r)
    {
        ObserveLeader(r.CurrentLeader.Epoch, r.CurrentLeader.LeaderId);
        var discovering = !_config.IsVoter && Role == RaftRole.Unattached;
        if (discovering && r.Error != ErrorCode.None)
        {
            _fetchInFlight = false;
            _retryAt = _now + _config.RetryBackoffMs;
            return;
        }
        if (Role != RaftRole.Follower || from != _leaderId || r.CurrentLeader.Epoch != _epoch) return;
        if (r.Error != ErrorCode.None)
        {
            _fetchInFlight = false;
            _retryAt = _now + _config.RetryBackoffMs;
            return;
        }
        if (_snapshotDownload is not null || r.FetchOffset != _log.EndOffset || r.LastFetchedEpoch != _log.LastEpoch)
            return; // an answer to an earlier fetch

        _fetchInFlight = false;
        _fetchDeadline = _now + _config.FetchTimeoutMs;
        _lastLeaderContact = _now;
        if (r.DivergingEpoch is { } diverging)
            TruncateForDivergence(diverging);
        else if (r.SnapshotId is { } snapshot)
            _snapshotDownload = new SnapshotDownload(snapshot);
        else
        {
            foreach (var batch in r.Batches)
            {
                if (batch.BaseOffset != _log.EndOffset) break;
                _log.Append(batch);
                _ready.LogOps.Add(new AppendOp(batch));
            }
            // Our log matches the leader's up to its end, so the leader's HW applies up to there.
            var hw = Math.Min(r.HighWatermark, _log.EndOffset);
            if (hw > _highWatermark) _highWatermark = hw;
        }
        SendFetch();
    }

    /// <summary>
    /// KIP-595 divergence: the leader's log ends epoch <c>E</c> at <c>O</c>; ours must not hold
    /// anything past min(O, our own end of E).
    /// </summary>
    private void TruncateForDivergence(EpochEndOffset diverging)
    {
        var local = _log.EndOffsetForEpoch(diverging.Epoch);
        var target = local.IsUnknown ? diverging.EndOffset : Math.Min(local.EndOffset, diverging.EndOffset);
        if (target >= _log.EndOffset) return;
        var end = _log.TruncateTo(target);
        if (end < _highWatermark)
            throw new InvalidOperationException($"node {_config.NodeId} would truncate committed records: {end} < HW {_highWatermark}");
        _durableEndOffset = Math.Min(_durableEndOffset, end);
        _ready.LogOps.Add(new TruncateOp(end));
    }

    private void HandleFetchSnapshotRequest(int from, FetchSnapshotRequest r)
    {
        var leader = new LeaderAndEpoch(KnownLeader, _epoch);
        ErrorCode error;
        if (Role != RaftRole.Leader || r.CurrentLeaderEpoch != _epoch)
            error = r.CurrentLeaderEpoch < _epoch ? ErrorCode.FencedLeaderEpoch
                : r.CurrentLeaderEpoch > _epoch ? ErrorCode.UnknownLeaderEpoch : ErrorCode.NotLeaderOrFollower;
        else if (_log.Snapshot != r.SnapshotId || _log.SnapshotData is null)
            error = ErrorCode.SnapshotNotFound;
        else if (r.Position < 0 || r.Position > _log.SnapshotData.Length)
            error = ErrorCode.PositionOutOfRange;
        else
        {
            if (_replicas.TryGetValue(from, out var progress)) progress.LastFetchTimestamp = _now;
            var data = _log.SnapshotData;
            var length = (int)Math.Min(_config.SnapshotChunkBytes, data.Length - r.Position);
            Send(from, new FetchSnapshotResponse(ErrorCode.None, leader, r.SnapshotId, data.Length, r.Position,
                data.AsSpan((int)r.Position, length).ToArray()));
            return;
        }
        Send(from, new FetchSnapshotResponse(error, leader, r.SnapshotId, 0, r.Position, []));
    }

    private void HandleFetchSnapshotResponse(int from, FetchSnapshotResponse r)
    {
        ObserveLeader(r.CurrentLeader.Epoch, r.CurrentLeader.LeaderId);
        if (Role != RaftRole.Follower || from != _leaderId || r.CurrentLeader.Epoch != _epoch || _snapshotDownload is not { } d)
            return;
        if (r.Error != ErrorCode.None)
        {
            // The leader has moved on to a newer snapshot: fetch again to learn its id.
            if (r.Error is ErrorCode.SnapshotNotFound or ErrorCode.PositionOutOfRange) _snapshotDownload = null;
            _fetchInFlight = false;
            _retryAt = _now + _config.RetryBackoffMs;
            return;
        }
        if (r.SnapshotId != d.Id || r.Position != d.Data.Length) return;
        _fetchInFlight = false;
        _fetchDeadline = _now + _config.FetchTimeoutMs;
        _lastLeaderContact = _now;
        d.Data.Write(r.Bytes);
        if (d.Data.Length >= r.Size)
        {
            var data = d.Data.ToArray();
            _snapshotDownload = null;
            _log.ResetToSnapshot(d.Id, data);
            _ready.LogOps.Add(new ResetToSnapshotOp(d.Id, data));
            _durableEndOffset = Math.Min(_durableEndOffset, _log.EndOffset);
            _highWatermark = Math.Max(_highWatermark, d.Id.EndOffset);
            _snapshotToLoad = true;
        }
        SendFetch();
    }
}
