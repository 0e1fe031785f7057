using System.Buffers;
using Broker.Protocol;
using Broker.Protocol.Records;

namespace Broker.Log;

/// <summary>
/// One segment: a <c>.log</c> file of record batches exactly as on the wire, plus its sparse
/// <c>.index</c> and <c>.timeindex</c>. Only the partition's single writer appends, truncates or
/// recovers it; any number of readers may look up and read concurrently, seeing every batch
/// whose bytes were written before <see cref="Size"/> was published.
/// </summary>
public sealed partial class LogSegment : IDisposable
{
    private readonly SegmentFile _file;
    private readonly OffsetIndex _index;
    private readonly TimeIndex _timeIndex;
    private readonly int _indexIntervalBytes;
    // Guards lazy loading by readers; the writer's own state needs no lock.
    private readonly object _loadSync = new();
    private volatile bool _indexesReady;
    private volatile bool _maxTimestampKnown;
    private int _size;
    private long _nextOffset = -1;
    private int _bytesSinceLastIndexEntry;
    // Two fields a reader may see from different appends; both are only hints for forward scans.
    private long _maxTimestamp = RecordBatchLayout.NoTimestamp;
    private long _offsetOfMaxTimestamp = -1;
    private long _createdMs;
    private long _firstBatchTimestamp = RecordBatchLayout.NoTimestamp;
    private bool _firstBatchTimestampKnown;
    private bool _closed;

    private LogSegment(string directory, long baseOffset, LogConfig config, long nowMs, SegmentFile file, int size)
    {
        BaseOffset = baseOffset;
        _file = file;
        _size = size;
        _createdMs = nowMs;
        _indexIntervalBytes = config.IndexIntervalBytes;
        _index = new OffsetIndex(LogFileNames.SegmentFile(directory, baseOffset, LogFileNames.IndexSuffix), baseOffset, config.SegmentIndexBytes);
        _timeIndex = new TimeIndex(LogFileNames.SegmentFile(directory, baseOffset, LogFileNames.TimeIndexSuffix), baseOffset, config.SegmentIndexBytes);
    }

    /// <summary>A new, empty segment with preallocated indexes, ready to be the active one.</summary>
    /// <param name="files">Bounds the descriptors open at once; <see cref="SegmentFilePool.Shared"/> when null.</param>
    public static LogSegment Create(string directory, long baseOffset, LogConfig config, long nowMs, SegmentFilePool? files = null)
    {
        var log = SegmentFile.Create(files ?? SegmentFilePool.Shared, LogFileNames.SegmentFile(directory, baseOffset, LogFileNames.LogSuffix));
        var segment = new LogSegment(directory, baseOffset, config, nowMs, log, 0);
        segment._index.Reset(preallocate: true);
        segment._timeIndex.Reset(preallocate: true);
        segment._nextOffset = baseOffset;
        segment._firstBatchTimestampKnown = true;
        segment._maxTimestampKnown = true;
        segment._indexesReady = true;
        return segment;
    }

    /// <summary>An existing segment; its file opens and its indexes load on first use.</summary>
    public static LogSegment Open(string directory, long baseOffset, LogConfig config, long nowMs, SegmentFilePool? files = null)
    {
        var path = LogFileNames.SegmentFile(directory, baseOffset, LogFileNames.LogSuffix);
        var log = SegmentFile.Existing(files ?? SegmentFilePool.Shared, path);
        var length = new FileInfo(path).Length;
        if (length > int.MaxValue)
        {
            log.Dispose();
            throw new CorruptLogFileException(path, $"{length} bytes is more than a segment can hold.");
        }
        return new LogSegment(directory, baseOffset, config, nowMs, log, (int)length);
    }

    public long BaseOffset { get; }
    public string LogPath => _file.Path;
    internal string IndexPath => _index.Path;
    internal string TimeIndexPath => _timeIndex.Path;
    public int Size => Volatile.Read(ref _size);
    public bool HasIndexFiles => File.Exists(_index.Path) && File.Exists(_timeIndex.Path);
    internal int IndexEntryCount { get { EnsureIndexes(); return _index.Count; } }
    internal int TimeIndexEntryCount { get { EnsureIndexes(); return _timeIndex.Count; } }

    /// <summary>One past the last offset stored here; the base offset when empty.</summary>
    public long NextOffset
    {
        get
        {
            var next = Volatile.Read(ref _nextOffset);
            return next >= 0 ? next : LoadNextOffset();
        }
    }

    /// <summary>The largest batch timestamp in the segment, or -1 when no batch carries one.</summary>
    public long MaxTimestampSoFar
    {
        get
        {
            EnsureMaxTimestamp();
            return Volatile.Read(ref _maxTimestamp);
        }
    }

    /// <summary>What <c>retention.ms</c> compares with: the newest timestamp, or the file's modification time without one.</summary>
    public long LargestTimestamp
    {
        get
        {
            var max = MaxTimestampSoFar;
            return max >= 0 ? max : new DateTimeOffset(File.GetLastWriteTimeUtc(LogPath)).ToUnixTimeMilliseconds();
        }
    }

    /// <summary>Writes validated batches with offsets already assigned at the end of the file and indexes them.</summary>
    public void Append(ReadOnlySpan<byte> batches)
    {
        var position = _size;
        using (var lease = _file.Acquire())
            RandomAccess.Write(lease.Handle, batches, position);
        var cursor = 0;
        var next = _nextOffset;
        var appendMaxTimestamp = RecordBatchLayout.NoTimestamp;
        while (cursor < batches.Length)
        {
            var batch = BatchInfo.Read(batches[cursor..], position + cursor);
            IndexBatch(batch);
            appendMaxTimestamp = Math.Max(appendMaxTimestamp, batch.MaxTimestamp);
            next = batch.NextOffset;
            cursor += batch.Size;
        }
        if (position == 0)
        {
            // segment.ms counts from the first append's timestamp, as Kafka's rollingBasedTimestamp does.
            _firstBatchTimestamp = appendMaxTimestamp;
            _firstBatchTimestampKnown = true;
        }
        // Next offset before size: a reader that sees the new size also sees where it ends.
        Volatile.Write(ref _nextOffset, next);
        Volatile.Write(ref _size, position + batches.Length);
    }

    private void IndexBatch(in BatchInfo batch)
    {
        if (batch.MaxTimestamp > _maxTimestamp)
        {
            Volatile.Write(ref _maxTimestamp, batch.MaxTimestamp);
            Volatile.Write(ref _offsetOfMaxTimestamp, batch.LastOffset);
        }
        if (_bytesSinceLastIndexEntry > _indexIntervalBytes)
        {
            _index.Append(batch.LastOffset, batch.Position);
            _timeIndex.MaybeAppend(_maxTimestamp, _offsetOfMaxTimestamp);
            _bytesSinceLastIndexEntry = 0;
        }
        _bytesSinceLastIndexEntry += batch.Size;
    }

    /// <summary>Kafka's roll conditions for an append of <paramref name="bytes"/> bytes.</summary>
    public bool ShouldRoll(int bytes, long maxTimestampInBatches, long lastOffsetInBatches, long nowMs, LogConfig config)
    {
        var size = Size;
        var expired = size > 0 && TimeWaitedForRoll(nowMs, maxTimestampInBatches) > config.SegmentMs;
        return size > config.SegmentBytes - (long)bytes
            || expired
            || _index.IsFull
            || _timeIndex.IsFull
            || !CanHoldOffset(lastOffsetInBatches);
    }

    private long TimeWaitedForRoll(long nowMs, long incomingTimestamp)
    {
        if (!_firstBatchTimestampKnown)
        {
            Span<byte> buffer = stackalloc byte[RecordBatchLayout.HeaderSize];
            using var lease = _file.Acquire();
            var reader = new BatchHeaderReader(lease.Handle, Size, buffer);
            _firstBatchTimestamp = reader.TryRead(0, out var first) ? first.MaxTimestamp : RecordBatchLayout.NoTimestamp;
            _firstBatchTimestampKnown = true;
        }
        return _firstBatchTimestamp >= 0 ? incomingTimestamp - _firstBatchTimestamp : nowMs - _createdMs;
    }

    /// <summary>Index entries store offsets relative to the base as 32 bits.</summary>
    public bool CanHoldOffset(long offset) => offset - BaseOffset is >= 0 and <= int.MaxValue;

    /// <summary>The first batch whose last offset is at least <paramref name="offset"/>, if the segment has one.</summary>
    public BatchInfo? FindBatch(long offset)
    {
        EnsureIndexes();
        Span<byte> buffer = stackalloc byte[BatchHeaderReader.BufferSize];
        using var lease = _file.Acquire();
        var reader = new BatchHeaderReader(lease.Handle, Size, buffer);
        return TryFindBatch(ref reader, offset, out var batch) ? batch : null;
    }

    /// <summary>Every batch whose last offset is at least <paramref name="offset"/>, in order (producer state replay).</summary>
    internal void VisitBatchesFrom(long offset, Action<BatchInfo> visit)
    {
        EnsureIndexes();
        Span<byte> buffer = stackalloc byte[BatchHeaderReader.BufferSize];
        using var lease = _file.Acquire();
        var reader = new BatchHeaderReader(lease.Handle, Size, buffer);
        if (!TryFindBatch(ref reader, offset, out var batch))
            return;
        while (true)
        {
            visit(batch);
            if (!reader.TryRead(batch.End, out batch))
                return;
        }
    }

    private bool TryFindBatch(ref BatchHeaderReader reader, long offset, out BatchInfo batch)
    {
        var position = _index.Lookup(offset).Position;
        while (reader.TryRead(position, out batch))
        {
            if (batch.LastOffset >= offset)
                return true;
            position = batch.End;
        }
        return false;
    }

    /// <summary>
    /// Whole batches starting with the one that holds <paramref name="startOffset"/>, at most
    /// <paramref name="maxBytes"/> long, ending before the batch that holds <paramref name="maxOffset"/>.
    /// The first batch comes whole even when larger than <paramref name="maxBytes"/> if
    /// <paramref name="minOneBatch"/>, so a consumer can always make progress (KIP-74).
    /// </summary>
    /// <returns>Null when the segment holds nothing at or after <paramref name="startOffset"/>.</returns>
    internal SegmentSlice? Read(long startOffset, int maxBytes, long maxOffset, bool minOneBatch)
    {
        EnsureIndexes();
        var end = Size;
        var nextOffset = Volatile.Read(ref _nextOffset);
        Span<byte> buffer = stackalloc byte[BatchHeaderReader.BufferSize];
        using var lease = _file.Acquire();
        var reader = new BatchHeaderReader(lease.Handle, end, buffer);
        if (!TryFindBatch(ref reader, startOffset, out var first))
            return null;
        if (first.LastOffset >= maxOffset)
            return new SegmentSlice(FileRegion.Empty, first.BaseOffset);

        var limit = Math.Min((long)first.Position + Math.Max(maxBytes, 0), end);
        if (nextOffset < 0 || maxOffset < nextOffset)
            limit = Math.Min(limit, TryFindBatch(ref reader, maxOffset, out var bound) ? bound.Position : end);
        if (first.End > limit)
            return new SegmentSlice(minOneBatch ? new FileRegion(_file, first.Position, first.Size) : FileRegion.Empty, first.BaseOffset);

        // The index also maps positions: jump close to the limit instead of walking every header.
        var position = Math.Max(first.End, _index.FloorPosition((int)limit));
        while (reader.TryRead(position, out var batch) && batch.End <= limit)
            position = batch.End;
        return new SegmentSlice(new FileRegion(_file, first.Position, position - first.Position), first.BaseOffset);
    }

    /// <summary>
    /// The first record at or after <paramref name="startingOffset"/> whose timestamp is at least
    /// <paramref name="timestamp"/>; the time index narrows the scan to one index interval.
    /// </summary>
    public TimestampAndOffset? FindOffsetByTimestamp(long timestamp, long startingOffset)
    {
        EnsureIndexes();
        Span<byte> buffer = stackalloc byte[BatchHeaderReader.BufferSize];
        using var lease = _file.Acquire();
        var reader = new BatchHeaderReader(lease.Handle, Size, buffer);
        var position = _index.Lookup(Math.Max(_timeIndex.Lookup(timestamp), startingOffset)).Position;
        while (reader.TryRead(position, out var batch))
        {
            if (batch.MaxTimestamp >= timestamp && batch.LastOffset >= startingOffset)
                return ResolveRecord(batch, timestamp, startingOffset);
            position = batch.End;
        }
        return null;
    }

    /// <summary>The record holding the segment's largest timestamp (ListOffsets MAX_TIMESTAMP).</summary>
    public TimestampAndOffset? FindMaxTimestampRecord()
    {
        var max = MaxTimestampSoFar;
        if (max < 0)
            return null;
        Span<byte> buffer = stackalloc byte[BatchHeaderReader.BufferSize];
        using var lease = _file.Acquire();
        var reader = new BatchHeaderReader(lease.Handle, Size, buffer);
        var position = _index.Lookup(Volatile.Read(ref _offsetOfMaxTimestamp)).Position;
        while (reader.TryRead(position, out var batch))
        {
            if (batch.MaxTimestamp == max)
                return ResolveRecord(batch, max, batch.BaseOffset);
            position = batch.End;
        }
        return null;
    }

    /// <summary>The first record at or after <paramref name="minOffset"/> stamped at or after <paramref name="timestamp"/>; null if none or malformed.</summary>
    private static (long Timestamp, long Offset)? FirstRecordAtOrAfter(ReadOnlySpan<byte> batch, long timestamp, long minOffset)
    {
        try
        {
            foreach (var record in new RecordIterator(batch))
                if (record.Timestamp >= timestamp && record.Offset >= minOffset)
                    return (record.Timestamp, record.Offset);
        }
        catch (CorruptRecordException)
        {
        }
        return null;
    }

    private TimestampAndOffset ResolveRecord(in BatchInfo batch, long timestamp, long minOffset)
    {
        if (batch.Compression == CompressionType.None && !batch.HasLogAppendTime)
        {
            var bytes = ArrayPool<byte>.Shared.Rent(batch.Size);
            try
            {
                var span = bytes.AsSpan(0, batch.Size);
                using var lease = _file.Acquire();
                if (FileIo.ReadFully(lease.Handle, span, batch.Position) == batch.Size
                    && FirstRecordAtOrAfter(span, timestamp, minOffset) is { } found)
                    return new TimestampAndOffset(found.Timestamp, found.Offset, batch.PartitionLeaderEpoch);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }
        // Log-append time gives every record the batch's timestamp; compressed records would need a codec.
        return new TimestampAndOffset(batch.MaxTimestamp, Math.Max(batch.BaseOffset, minOffset), batch.PartitionLeaderEpoch);
    }

    /// <summary>Removes the batch holding <paramref name="offset"/> and everything after it; returns the bytes removed.</summary>
    public int TruncateTo(long offset, long nowMs)
    {
        EnsureIndexes();
        var size = Size;
        if (FindBatch(offset) is not { } cut)
            return 0;
        _index.TruncateToPosition(cut.Position);
        _timeIndex.TruncateToOffset(cut.BaseOffset);
        using (var lease = _file.Acquire())
            RandomAccess.SetLength(lease.Handle, cut.Position);
        Volatile.Write(ref _nextOffset, -1);
        Volatile.Write(ref _size, cut.Position);
        _bytesSinceLastIndexEntry = 0;
        if (cut.Position == 0)
        {
            _createdMs = nowMs;
            _firstBatchTimestamp = RecordBatchLayout.NoTimestamp;
            _firstBatchTimestampKnown = true;
        }
        ScanMaxTimestamp();
        _ = LoadNextOffset();
        return size - cut.Position;
    }

    /// <summary>Writes the log and index bytes to stable storage.</summary>
    public void Flush()
    {
        // fsync covers the file's dirty pages whichever descriptor wrote them, so an evicted one loses nothing.
        using (var lease = _file.Acquire())
            RandomAccess.FlushToDisk(lease.Handle);
        if (_indexesReady)
        {
            _index.Flush();
            _timeIndex.Flush();
        }
    }

    /// <summary>The segment stops being active: its maximum timestamp goes into the time index and both indexes shrink to their entries.</summary>
    public void OnBecomeInactive()
    {
        if (!_indexesReady)
            return;
        _timeIndex.MaybeAppend(_maxTimestamp, _offsetOfMaxTimestamp, final: true);
        _index.Trim();
        _timeIndex.Trim();
    }

    /// <summary>Makes a loaded segment the active one again: full-size index files and a known maximum timestamp.</summary>
    internal void PrepareActive()
    {
        EnsureIndexes();
        _index.Preallocate();
        _timeIndex.Preallocate();
        ScanMaxTimestamp();
        _ = NextOffset;
    }

    /// <summary>Renames the files to <c>*.deleted</c>; reads keep working until the files are deleted.</summary>
    public void RenameForDeletion()
    {
        _file.MoveTo(LogPath + LogFileNames.DeletedSuffix);
        _index.Rename(_index.Path + LogFileNames.DeletedSuffix);
        _timeIndex.Rename(_timeIndex.Path + LogFileNames.DeletedSuffix);
    }

    /// <summary>Closes the handle and removes the files, whatever their names are now.</summary>
    public void DeleteFiles()
    {
        _closed = true;
        _file.Dispose();
        File.Delete(LogPath);
        _index.Delete();
        _timeIndex.Delete();
    }

    /// <summary>Trims the indexes and closes the file.</summary>
    public void Close()
    {
        if (_closed)
            return;
        _closed = true;
        try
        {
            OnBecomeInactive();
        }
        finally
        {
            _file.Dispose();
        }
    }

    public void Dispose() => Close();

    /// <summary>Closes the file without writing anything more, for a directory that failed.</summary>
    internal void CloseHandle()
    {
        _closed = true;
        _file.Dispose();
    }

    public override string ToString() => $"LogSegment({LogFileNames.OffsetToName(BaseOffset)}, {Size} bytes)";
}

/// <summary>A segment's answer to a read: the bytes, and the base offset of the first batch at or after the fetch offset.</summary>
internal readonly record struct SegmentSlice(FileRegion Region, long FirstOffset);
