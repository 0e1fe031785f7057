using Broker.Log;
using Broker.Metadata;
using Broker.Protocol;
using Broker.Protocol.Records;
using Microsoft.Extensions.Logging;

namespace Broker.Replication;

/// <summary>One partition of a leader's answer to a replica fetch, as the follower applies it.</summary>
public readonly record struct LeaderData(
    ErrorCode Error, long HighWatermark, long LogStartOffset, int DivergingEpoch, long DivergingEndOffset, ReadOnlyMemory<byte> Records);

/// <summary>What applying a leader's answer did, for the fetcher's next step.</summary>
public enum FollowerStep
{
    /// <summary>Appended (or nothing new): fetch again at once.</summary>
    Fetched,
    /// <summary>Truncated after divergence or out-of-range: fetch again at once from the new end.</summary>
    Truncated,
    /// <summary>An error the metadata will settle (leader moved, epochs differ): back off.</summary>
    Backoff,
    /// <summary>The partition is no longer followed at that leader epoch: drop the answer.</summary>
    Stale,
    /// <summary>The partition's log directory is offline: stop fetching it until the node restarts.</summary>
    Offline,
}

public sealed partial class Partition
{
    private void BecomeFollower(PartitionImage image)
    {
        var wasLeader = _role == PartitionRole.Leader;
        _role = PartitionRole.Follower;
        _leader = image.Leader;
        _leaderEpoch = image.LeaderEpoch;
        Replicas = image.Replicas;
        _isr = new IsrState(image.Isr, image.PartitionEpoch);
        _remotes.Clear();
        _servedConsumersAsFollower = 0;
        // Requests waiting for acks=all here can no longer be acknowledged by this node.
        CheckAckWaiters();
        if (wasLeader)
            _context.Logger.LogInformation("{Partition}: no longer leader; following {Leader} at epoch {Epoch}", Id, image.Leader, image.LeaderEpoch);
        SignalAppend();
        SignalHighWatermark();
    }

    /// <summary>The fetch position a follower asks its leader for: its log end and the epoch of its last batch.</summary>
    public (long FetchOffset, int LastFetchedEpoch) FetchPosition => (Log.LogEndOffset, Log.LeaderEpochs.LatestEpoch);

    /// <summary>
    /// Applies the leader's answer to a fetch made at <paramref name="leaderEpoch"/>: appends its
    /// batches byte for byte (offsets and epochs as the leader wrote them), truncates on divergence
    /// (KIP-320), and follows the leader's high watermark and log start offset.
    /// </summary>
    public FollowerStep ApplyFromLeader(int leaderEpoch, in LeaderData data)
    {
        lock (AppendLock)
        {
            if (_role != PartitionRole.Follower || _leaderEpoch != leaderEpoch)
                return FollowerStep.Stale;
            if (_context.OfflineDirs.IsOffline(Log))
                return FollowerStep.Offline;
            try
            {
                return ApplyFromLeaderLocked(data);
            }
            catch (IOException e)
            {
                _context.OfflineDirs.Fail(Id, Log, e, _context.Logger);
                return FollowerStep.Offline;
            }
        }
    }

    private FollowerStep ApplyFromLeaderLocked(in LeaderData data)
    {
        var log = Log;
        switch (data.Error)
        {
            case ErrorCode.None when data.DivergingEpoch >= 0 || data.DivergingEndOffset >= 0:
                TruncateOnDivergence(data.DivergingEpoch, data.DivergingEndOffset);
                return FollowerStep.Truncated;
            case ErrorCode.None:
                if (!data.Records.IsEmpty)
                    AppendFromLeader(data.Records);
                FollowHighWatermark(data.HighWatermark, data.LogStartOffset);
                return FollowerStep.Fetched;
            case ErrorCode.OffsetOutOfRange when data.LogStartOffset > log.LogEndOffset:
                // Behind the leader's log start (retention or DeleteRecords there): start over at it.
                _context.Logger.LogInformation("{Partition}: log end {End} is below the leader's log start {Start}; starting empty there",
                    Id, log.LogEndOffset, data.LogStartOffset);
                log.TruncateFullyAndStartAt(data.LogStartOffset);
                SignalHighWatermark();
                return FollowerStep.Truncated;
            default:
                return FollowerStep.Backoff;
        }
    }

    private void TruncateOnDivergence(int divergingEpoch, long divergingEndOffset)
    {
        var log = Log;
        var (localEpoch, localEnd) = log.EndOffsetForEpoch(divergingEpoch);
        // Same epoch on both sides: they agree up to the shorter end. A local epoch below the
        // leader's: everything after it is from epochs the leader never had; the next fetch checks again.
        var target = localEpoch == divergingEpoch ? Math.Min(divergingEndOffset, localEnd)
            : localEnd >= 0 ? localEnd
            : Math.Min(divergingEndOffset, log.LogEndOffset);
        target = Math.Max(target, 0);
        if (target >= log.LogEndOffset)
            return;
        if (target < log.HighWatermark)
            _context.Logger.LogWarning("{Partition}: truncating to {Target}, below the high watermark {HighWatermark}, as leader {Leader} says",
                Id, target, log.HighWatermark, _leader);
        _context.Logger.LogInformation("{Partition}: diverged from leader {Leader} (its epoch {Epoch} ends at {End}); truncating from {From} to {Target}",
            Id, _leader, divergingEpoch, divergingEndOffset, log.LogEndOffset, target);
        log.TruncateTo(target);
        SignalHighWatermark();
    }

    private void AppendFromLeader(ReadOnlyMemory<byte> records)
    {
        var log = Log;
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsMemory(records).Span;
        // Batches already held (a retried fetch) are skipped; a whole answer is checked before any of it lands.
        var start = 0;
        var end = 0;
        foreach (var bounds in new RecordBatchWalker(bytes, allowTruncatedTail: true, verifyCrc: true))
        {
            var header = new RecordBatchHeader(bytes.Slice(bounds.Position, bounds.Length));
            if (header.LastOffset < log.LogEndOffset)
            {
                start = bounds.Position + bounds.Length;
                end = start;
                continue;
            }
            if (header.BaseOffset < log.LogEndOffset)
                throw new UnexpectedAppendOffsetException(
                    $"{Id}: the leader's batch [{header.BaseOffset}, {header.LastOffset}] straddles this log's end {log.LogEndOffset}.",
                    header.BaseOffset, header.LastOffset);
            end = bounds.Position + bounds.Length;
        }
        if (end > start)
            log.AppendAsFollower(bytes[start..end]);
        SignalAppend();
    }

    private void FollowHighWatermark(long leaderHighWatermark, long leaderLogStartOffset)
    {
        var log = Log;
        var highWatermark = Math.Min(leaderHighWatermark, log.LogEndOffset);
        if (highWatermark > log.HighWatermark)
        {
            log.UpdateHighWatermark(highWatermark);
            SignalHighWatermark();
        }
        if (leaderLogStartOffset > log.LogStartOffset && leaderLogStartOffset <= log.HighWatermark)
            log.DeleteRecordsBefore(leaderLogStartOffset);
    }
}
