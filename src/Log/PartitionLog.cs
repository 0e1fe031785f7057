using System.Buffers.Binary;
using Broker.Protocol;
using Broker.Protocol.Records;

namespace Broker.Log;

/// <summary>
/// A partition's log: an ordered list of segments in the directory <c>topic-N</c>, appended to
/// at the end by one writer at a time and read by any number of fetchers without locks.
/// Readers see a batch once <see cref="LogEndOffset"/> covers it; the segment list is an
/// immutable array swapped on roll and deletion.
/// </summary>
public sealed partial class PartitionLog : IDisposable
{
    private readonly object _lock = new();
    private readonly LogContext _context;
    private LogSegment[] _segments = [];
    private LogConfig _config;
    private long _logEndOffset;
    private long _logStartOffset;
    private long _highWatermark;
    private long _recoveryPoint;
    private long _lastFlushMs;
    private bool _closed;

    private PartitionLog(string directory, TopicPartition topicPartition, LogConfig config, LogContext context)
    {
        Directory = directory;
        TopicPartition = topicPartition;
        _config = config.Validate();
        _context = context;
        LeaderEpochs = LeaderEpochCache.Load(directory);
    }

    public TopicPartition TopicPartition { get; }
    public string Directory { get; }
    public LogConfig Config => Volatile.Read(ref _config);
    public LeaderEpochCache LeaderEpochs { get; }
    public LogLoadStats LoadStats { get; private set; } = null!;
    /// <summary>The id in <c>partition.metadata</c>, if one was assigned.</summary>
    public Guid? TopicId { get; private set; }

    /// <summary>The offset the next appended record gets.</summary>
    public long LogEndOffset => Volatile.Read(ref _logEndOffset);
    /// <summary>The first offset a fetch may ask for; may sit inside the first segment after DeleteRecords.</summary>
    public long LogStartOffset => Volatile.Read(ref _logStartOffset);
    /// <summary>Offsets below it are replicated to the ISR; replication sets it, a single node sets it to the log end offset after each append.</summary>
    public long HighWatermark => Volatile.Read(ref _highWatermark);
    /// <summary>Offsets below it are fsynced; crash recovery starts at the segment holding it.</summary>
    public long RecoveryPoint => Volatile.Read(ref _recoveryPoint);
    public long UnflushedMessages => LogEndOffset - RecoveryPoint;
    public IReadOnlyList<LogSegment> Segments => Volatile.Read(ref _segments);
    public LogSegment ActiveSegment => Volatile.Read(ref _segments)[^1];

    /// <summary>Bytes in all segments.</summary>
    public long Size
    {
        get
        {
            long size = 0;
            foreach (var segment in Volatile.Read(ref _segments))
                size += segment.Size;
            return size;
        }
    }

    /// <summary>Takes new topic settings; existing segments keep the index sizes they were created with.</summary>
    public void UpdateConfig(LogConfig config) => Volatile.Write(ref _config, config.Validate());

    /// <summary>Sets the high watermark, clamped to [log start offset, log end offset]; returns what was stored.</summary>
    public long UpdateHighWatermark(long highWatermark)
    {
        lock (_lock)
        {
            var clamped = Math.Clamp(highWatermark, _logStartOffset, _logEndOffset);
            Volatile.Write(ref _highWatermark, clamped);
            return clamped;
        }
    }

    /// <summary>Writes <c>partition.metadata</c> with the topic's id.</summary>
    public void AssignTopicId(Guid topicId)
    {
        lock (_lock)
        {
            if (TopicId == topicId)
                return;
            PartitionMetadataFile.Write(Directory, topicId);
            TopicId = topicId;
        }
    }

    /// <summary>
    /// Appends batches as the leader: each batch's base offset is patched in place to the next
    /// offset and its partition leader epoch to <paramref name="leaderEpoch"/> (both outside the
    /// CRC). The caller has validated the batches (CRC, record counts); framing is checked here,
    /// and idempotent producers' epochs and sequences (see <see cref="ProducerStateManager.CheckAppend"/>):
    /// a retried batch is answered with its first offsets (<see cref="LogAppendInfo.Duplicate"/>).
    /// </summary>
    public LogAppendInfo Append(Span<byte> batches, int leaderEpoch) => AppendCore(batches, leaderEpoch, assignOffsets: true);

    /// <summary>
    /// Appends batches that already carry offsets and epochs (a follower's fetch, a Raft log):
    /// they must start at or after the log end offset and climb.
    /// </summary>
    public LogAppendInfo AppendAsFollower(Span<byte> batches) => AppendCore(batches, LeaderEpochCache.UndefinedEpoch, assignOffsets: false);

    private LogAppendInfo AppendCore(Span<byte> batches, int leaderEpoch, bool assignOffsets)
    {
        LogAppendInfo info;
        bool flush;
        lock (_lock)
        {
            ThrowIfClosed();
            var config = Config;
            if (assignOffsets && _producers.CheckAppend(batches, TopicPartition) is { } original)
                return DuplicateAppend(original);
            var walk = WalkBatches(batches, _logEndOffset, leaderEpoch, assignOffsets);
            if (walk.BatchCount == 0)
                return new LogAppendInfo(_logEndOffset, _logEndOffset - 1, RecordBatchLayout.NoTimestamp, -1, 0, 0, 0, _logStartOffset);
            if (batches.Length > config.SegmentBytes)
                throw new RecordBatchTooLargeException($"{batches.Length} bytes of batches exceed segment.bytes ({config.SegmentBytes}) of {TopicPartition}.");

            var segment = MaybeRoll(batches.Length, walk, config);
            segment.Append(batches);
            _producers.RecordAppended(batches);
            Volatile.Write(ref _logEndOffset, walk.LastOffset + 1);
            if (assignOffsets)
            {
                if (leaderEpoch != LeaderEpochs.LatestEpoch)
                    LeaderEpochs.Assign(leaderEpoch, walk.FirstOffset);
            }
            else
            {
                AssignEpochsOf(batches);
            }
            info = new LogAppendInfo(walk.FirstOffset, walk.LastOffset, walk.MaxTimestamp, walk.OffsetOfMaxTimestamp,
                walk.BatchCount, walk.RecordCount, batches.Length, _logStartOffset);
            flush = UnflushedMessages >= config.FlushMessages;
        }
        if (flush)
            Flush();
        return info;
    }

    private readonly record struct BatchWalk(long FirstOffset, long LastOffset, long MaxTimestamp, long OffsetOfMaxTimestamp, int BatchCount, int RecordCount);

    /// <summary>One pass over the batches: check framing, assign or check offsets, gather what the append reports.</summary>
    private BatchWalk WalkBatches(Span<byte> batches, long nextOffset, int leaderEpoch, bool assignOffsets)
    {
        long first = -1, maxTimestamp = RecordBatchLayout.NoTimestamp, offsetOfMax = -1;
        int count = 0, records = 0, cursor = 0;
        while (cursor < batches.Length)
        {
            var status = RecordBatchValidator.Check(batches[cursor..], verifyCrc: false, out var size);
            if (status != RecordBatchStatus.Valid)
                throw new CorruptRecordException($"Batch at byte {cursor} of an append to {TopicPartition}: {status}.");
            var batch = batches.Slice(cursor, size);
            if (assignOffsets)
            {
                BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.BaseOffset..], nextOffset);
                BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.PartitionLeaderEpoch..], leaderEpoch);
            }
            var header = new RecordBatchHeader(batch);
            if (header.BaseOffset < nextOffset)
                throw new UnexpectedAppendOffsetException(
                    $"Batch at offset {header.BaseOffset} appended to {TopicPartition} where offsets are at {nextOffset}.",
                    header.BaseOffset, header.LastOffset);
            if (first < 0)
                first = header.BaseOffset;
            if (header.MaxTimestamp > maxTimestamp)
            {
                maxTimestamp = header.MaxTimestamp;
                offsetOfMax = header.LastOffset;
            }
            nextOffset = header.LastOffset + 1;
            records += header.RecordsCount;
            count++;
            cursor += size;
        }
        return new BatchWalk(first, nextOffset - 1, maxTimestamp, offsetOfMax, count, records);
    }

    private void AssignEpochsOf(ReadOnlySpan<byte> batches)
    {
        while (!batches.IsEmpty)
        {
            var header = new RecordBatchHeader(batches);
            if (header.PartitionLeaderEpoch > LeaderEpochs.LatestEpoch)
                LeaderEpochs.Assign(header.PartitionLeaderEpoch, header.BaseOffset);
            batches = batches[header.TotalSize..];
        }
    }

    /// <summary>
    /// Whole batches from <paramref name="fetchOffset"/>, at most <paramref name="maxBytes"/> (but
    /// the first batch whole if <paramref name="minOneBatch"/>), stopping before
    /// <paramref name="maxOffset"/>: the high watermark for consumers, the last stable offset for
    /// read_committed, the log end offset (the default) for followers. Reads one segment, as Kafka does.
    /// </summary>
    /// <exception cref="OffsetOutOfRangeException">Below the log start offset or above the log end offset.</exception>
    public LogReadResult Read(long fetchOffset, int maxBytes, long maxOffset = long.MaxValue, bool minOneBatch = true)
    {
        // Log end offset first: every segment and byte it covers was published before it.
        var logEndOffset = LogEndOffset;
        var segments = Volatile.Read(ref _segments);
        var logStartOffset = LogStartOffset;
        var highWatermark = HighWatermark;
        if (fetchOffset < logStartOffset || fetchOffset > logEndOffset)
            throw new OffsetOutOfRangeException($"Offset {fetchOffset} is outside [{logStartOffset}, {logEndOffset}] of {TopicPartition}.");
        var upper = Math.Min(maxOffset, logEndOffset);
        if (fetchOffset < upper)
        {
            var first = FloorSegment(segments, fetchOffset);
            if (first < 0)
                throw new OffsetOutOfRangeException($"Offset {fetchOffset} of {TopicPartition} was deleted while being read.");
            for (var i = first; i < segments.Length; i++)
            {
                // Null means the offset lies past this segment's last batch (a gap): try the next.
                if (segments[i].Read(fetchOffset, maxBytes, upper, minOneBatch) is { } slice)
                    return new LogReadResult(slice.Region, slice.FirstOffset, highWatermark, logStartOffset, logEndOffset);
            }
        }
        return new LogReadResult(FileRegion.Empty, -1, highWatermark, logStartOffset, logEndOffset);
    }

    /// <summary>The segment whose base offset is the greatest at or below <paramref name="offset"/>, or -1.</summary>
    private static int FloorSegment(LogSegment[] segments, long offset) =>
        IndexSearch.Floor<LogSegment>(segments, offset, static s => s.BaseOffset);

    /// <summary>ListOffsets by timestamp: the earliest record whose timestamp is at least <paramref name="timestamp"/>, or null.</summary>
    public TimestampAndOffset? OffsetForTimestamp(long timestamp)
    {
        var logStartOffset = LogStartOffset;
        foreach (var segment in Volatile.Read(ref _segments))
        {
            if (segment.MaxTimestampSoFar >= timestamp && segment.FindOffsetByTimestamp(timestamp, logStartOffset) is { } found)
                return found;
        }
        return null;
    }

    /// <summary>ListOffsets EARLIEST: the log start offset and the epoch that wrote it.</summary>
    public TimestampAndOffset EarliestOffset()
    {
        var offset = LogStartOffset;
        return new TimestampAndOffset(RecordBatchLayout.NoTimestamp, offset, LeaderEpochs.EpochForOffset(offset));
    }

    /// <summary>ListOffsets LATEST for a follower's view: the log end offset and the latest epoch (consumers are capped at the high watermark by the caller).</summary>
    public TimestampAndOffset LatestOffset() =>
        new(RecordBatchLayout.NoTimestamp, LogEndOffset, LeaderEpochs.LatestEpoch);

    /// <summary>ListOffsets MAX_TIMESTAMP: the record with the largest timestamp, or null for an empty log.</summary>
    public TimestampAndOffset? MaxTimestampOffset()
    {
        LogSegment? newest = null;
        foreach (var segment in Volatile.Read(ref _segments))
            if (segment.MaxTimestampSoFar >= 0 && (newest is null || segment.MaxTimestampSoFar > newest.MaxTimestampSoFar))
                newest = segment;
        return newest?.FindMaxTimestampRecord();
    }

    /// <summary>OffsetForLeaderEpoch: the largest epoch not above <paramref name="epoch"/> and where the next one starts.</summary>
    public (int Epoch, long EndOffset) EndOffsetForEpoch(int epoch) => LeaderEpochs.EndOffsetFor(epoch, LogEndOffset);

    private void ThrowIfClosed()
    {
        if (_closed)
            throw new ObjectDisposedException(TopicPartition.ToString(), "The log is closed.");
    }
}
