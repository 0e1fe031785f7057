using System.Buffers;
using System.Buffers.Binary;
using Broker.Protocol.Records;

namespace Broker.Log;

/// <summary>How crash recovery left a segment.</summary>
/// <param name="Stop">Why the scan stopped before the end of the file, or null when every byte was valid.</param>
internal readonly record struct SegmentRecovery(int ValidBytes, int TruncatedBytes, int Batches, long NextOffset, RecordBatchStatus? Stop);

public sealed partial class LogSegment
{
    /// <summary>Sequential recovery reads this much at a time; batches larger than it get their own buffer.</summary>
    private const int RecoveryChunkBytes = 1024 * 1024;

    /// <summary>
    /// Validates every batch from the start (framing, magic, CRC32C, increasing offsets), rebuilds
    /// both indexes from the valid ones and cuts the file at the first batch that is torn or corrupt.
    /// </summary>
    /// <param name="active">Whether the segment stays the active one (its indexes keep their preallocated size).</param>
    /// <param name="onBatch">Sees each valid batch, in order; the log rebuilds its leader epoch cache from them.</param>
    internal SegmentRecovery Recover(bool active, Action<BatchInfo>? onBatch = null)
    {
        lock (_loadSync)
        {
            BeginIndexing(active);
            using var lease = _file.Acquire();
            var fileSize = RandomAccess.GetLength(lease.Handle);
            var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(fileSize, RecordBatchLayout.HeaderSize, RecoveryChunkBytes));
            long position = 0;
            var next = BaseOffset;
            var batches = 0;
            RecordBatchStatus? stop = null;
            try
            {
                while (position < fileSize && stop is null)
                {
                    var read = FileIo.ReadFully(lease.Handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, fileSize - position)), position);
                    var offset = 0;
                    while (offset < read)
                    {
                        var status = RecordBatchValidator.Check(buffer.AsSpan(offset, read - offset), verifyCrc: true, out var size);
                        if (status == RecordBatchStatus.Incomplete)
                        {
                            // Either the chunk ends mid-batch (read on) or the file does (a torn write).
                            var needed = read - offset >= RecordBatchLayout.LogOverhead
                                ? BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(offset + RecordBatchLayout.BatchLength)) + (long)RecordBatchLayout.LogOverhead
                                : RecordBatchLayout.LogOverhead;
                            if (position + offset + needed > fileSize)
                                stop = RecordBatchStatus.Incomplete;
                            else if (offset == 0)
                                buffer = Grow(buffer, (int)needed);
                            break;
                        }
                        if (status != RecordBatchStatus.Valid)
                        {
                            stop = status;
                            break;
                        }
                        var batch = BatchInfo.Read(buffer.AsSpan(offset), (int)(position + offset));
                        // Offsets must climb, or lookups by binary search would land on the wrong batch.
                        if (batch.BaseOffset < next || !CanHoldOffset(batch.LastOffset))
                        {
                            stop = RecordBatchStatus.InvalidOffsetDelta;
                            break;
                        }
                        IndexBatch(batch);
                        onBatch?.Invoke(batch);
                        next = batch.NextOffset;
                        batches++;
                        offset += size;
                    }
                    position += offset;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            var valid = (int)position;
            if (valid < fileSize)
                RandomAccess.SetLength(lease.Handle, valid);
            Volatile.Write(ref _size, valid);
            _firstBatchTimestampKnown = false;
            FinishIndexing(active, next);
            return new SegmentRecovery(valid, (int)(fileSize - valid), batches, next, stop);
        }
    }

    private static byte[] Grow(byte[] buffer, int size)
    {
        ArrayPool<byte>.Shared.Return(buffer);
        return ArrayPool<byte>.Shared.Rent(size);
    }

    /// <summary>
    /// For the last segment after a clean shutdown: both index files load, are ordered, and the
    /// last offset index entry points at the batch it names. False means recover the segment.
    /// </summary>
    internal bool IndexesLookSane()
    {
        lock (_loadSync)
        {
            if (!_index.TryLoad() || !_timeIndex.TryLoad() || !LastIndexEntryPointsAtBatch())
                return false;
            _indexesReady = true;
            return true;
        }
    }

    private bool LastIndexEntryPointsAtBatch()
    {
        if (_index.Last is not { } last)
            return true;
        Span<byte> buffer = stackalloc byte[RecordBatchLayout.HeaderSize];
        using var lease = _file.Acquire();
        var reader = new BatchHeaderReader(lease.Handle, Size, buffer);
        return reader.TryRead(last.Position, out var batch) && batch.LastOffset == BaseOffset + last.RelativeOffset;
    }

    /// <summary>Loads the index files on first use; an unreadable one is rebuilt from the log.</summary>
    private void EnsureIndexes()
    {
        if (_indexesReady)
            return;
        lock (_loadSync)
        {
            if (_indexesReady)
                return;
            if (!_index.TryLoad() || !_timeIndex.TryLoad() || !LastIndexEntryPointsAtBatch())
                RebuildIndexes();
            _indexesReady = true;
        }
    }

    /// <summary>
    /// Re-derives the indexes of an inactive segment from its batch headers. Unlike recovery it
    /// trusts the bytes and truncates nothing: the segment sits below the log end offset.
    /// </summary>
    private void RebuildIndexes()
    {
        BeginIndexing(active: false);
        Span<byte> buffer = stackalloc byte[BatchHeaderReader.BufferSize];
        using var lease = _file.Acquire();
        var reader = new BatchHeaderReader(lease.Handle, Size, buffer);
        var position = 0;
        var next = BaseOffset;
        while (reader.TryRead(position, out var batch))
        {
            IndexBatch(batch);
            next = batch.NextOffset;
            position = batch.End;
        }
        FinishIndexing(active: false, next);
    }

    private void BeginIndexing(bool active)
    {
        _index.Reset(preallocate: active);
        _timeIndex.Reset(preallocate: active);
        _maxTimestamp = RecordBatchLayout.NoTimestamp;
        _offsetOfMaxTimestamp = -1;
        _bytesSinceLastIndexEntry = 0;
    }

    private void FinishIndexing(bool active, long nextOffset)
    {
        _timeIndex.MaybeAppend(_maxTimestamp, _offsetOfMaxTimestamp, final: true);
        if (!active)
        {
            _index.Trim();
            _timeIndex.Trim();
        }
        Volatile.Write(ref _nextOffset, nextOffset);
        _maxTimestampKnown = true;
        _indexesReady = true;
    }

    private long LoadNextOffset()
    {
        EnsureIndexes();
        Span<byte> buffer = stackalloc byte[BatchHeaderReader.BufferSize];
        using var lease = _file.Acquire();
        var reader = new BatchHeaderReader(lease.Handle, Size, buffer);
        var position = _index.Last?.Position ?? 0;
        var next = BaseOffset;
        while (reader.TryRead(position, out var batch))
        {
            next = batch.NextOffset;
            position = batch.End;
        }
        Interlocked.CompareExchange(ref _nextOffset, next, -1);
        return Volatile.Read(ref _nextOffset);
    }

    /// <summary>An inactive segment's last time index entry is its maximum, written when it rolled.</summary>
    private void EnsureMaxTimestamp()
    {
        if (_maxTimestampKnown)
            return;
        lock (_loadSync)
        {
            if (_maxTimestampKnown)
                return;
            EnsureIndexes();
            if (!_maxTimestampKnown && _timeIndex.Last is { } last)
            {
                Volatile.Write(ref _maxTimestamp, last.Timestamp);
                Volatile.Write(ref _offsetOfMaxTimestamp, last.Offset);
            }
            _maxTimestampKnown = true;
        }
    }

    /// <summary>
    /// The active segment may hold batches past its last time index entry; scan them, from the
    /// batch that entry names, to know the true maximum.
    /// </summary>
    private void ScanMaxTimestamp()
    {
        EnsureIndexes();
        var max = RecordBatchLayout.NoTimestamp;
        long offsetOfMax = -1;
        var position = 0;
        if (_timeIndex.Last is { } last)
        {
            (max, offsetOfMax) = last;
            position = _index.Lookup(last.Offset).Position;
        }
        Span<byte> buffer = stackalloc byte[BatchHeaderReader.BufferSize];
        using var lease = _file.Acquire();
        var reader = new BatchHeaderReader(lease.Handle, Size, buffer);
        while (reader.TryRead(position, out var batch))
        {
            if (batch.MaxTimestamp > max)
            {
                max = batch.MaxTimestamp;
                offsetOfMax = batch.LastOffset;
            }
            position = batch.End;
        }
        Volatile.Write(ref _maxTimestamp, max);
        Volatile.Write(ref _offsetOfMaxTimestamp, offsetOfMax);
        _maxTimestampKnown = true;
    }
}
