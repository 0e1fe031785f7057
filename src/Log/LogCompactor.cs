using System.Buffers;
using System.Diagnostics;
using Broker.Protocol.Records;
using Broker.Protocol.Wire;

namespace Broker.Log;

/// <summary>How dirty a compacted log is: what the cleaner compares with <c>min.cleanable.dirty.ratio</c>.</summary>
public readonly record struct CleanableSection(long FirstDirtyOffset, long FirstUncleanableOffset, long CleanBytes, long DirtyBytes, bool MaxLagExceeded)
{
    public double DirtyRatio => CleanBytes + DirtyBytes == 0 ? 0 : (double)DirtyBytes / (CleanBytes + DirtyBytes);
}

/// <summary>What one cleaning of a log did; <see cref="EndOffset"/> is the new cleaner checkpoint.</summary>
public readonly record struct CleanResult(long EndOffset, long BytesRead, long BytesWritten, long RecordsRead, long RecordsKept, TimeSpan Elapsed);

/// <summary>
/// Cleans one log as Kafka's cleaner does: a key → latest offset map over the dirty section (from
/// the cleaner checkpoint to the first uncleanable offset), then every inactive segment up to the
/// mapped end is rewritten, in groups that fit one segment, keeping each key's latest record.
/// Tombstones survive <c>delete.retention.ms</c> after the segment holding them was first cleaned.
/// Works on inactive segments only, outside the log's lock; appends and fetches go on meanwhile.
/// </summary>
public sealed class LogCompactor
{
    private readonly OffsetMap _map;
    private readonly IoThrottle _throttle;

    public LogCompactor(int dedupeBufferBytes, IoThrottle? throttle = null)
    {
        _map = new OffsetMap(dedupeBufferBytes);
        _throttle = throttle ?? IoThrottle.Unlimited;
    }

    /// <summary>The dirty section of <paramref name="log"/> given its checkpoint (-1 when it has none).</summary>
    public static CleanableSection Measure(PartitionLog log, long checkpoint, long nowMs)
    {
        var segments = log.Segments;
        var firstUncleanable = log.FirstUncleanableOffset(nowMs);
        // A checkpoint outside the log (truncation, DeleteRecords) restarts from the log start.
        var firstDirty = checkpoint < log.LogStartOffset || checkpoint > log.LogEndOffset ? log.LogStartOffset : checkpoint;
        long clean = 0, dirty = 0;
        LogSegment? firstDirtySegment = null;
        for (var i = 0; i + 1 < segments.Count; i++)
        {
            var segment = segments[i];
            if (segments[i + 1].BaseOffset > firstUncleanable)
                break;
            if (segments[i + 1].BaseOffset <= firstDirty)
                clean += segment.Size;
            else
            {
                dirty += segment.Size;
                firstDirtySegment ??= segment;
            }
        }
        var config = log.Config;
        var maxLag = firstDirtySegment is not null && config.MaxCompactionLagMs != long.MaxValue
            && firstDirtySegment.FirstBatchTimestamp is >= 0 and var first && nowMs - first > config.MaxCompactionLagMs;
        return new CleanableSection(firstDirty, firstUncleanable, clean, dirty, maxLag);
    }

    /// <summary>Cleans the log from its start; returns null when nothing was cleanable or the log changed under the cleaner.</summary>
    public CleanResult? Clean(PartitionLog log, long firstDirtyOffset, long nowMs, CancellationToken cancel = default)
    {
        var started = Stopwatch.GetTimestamp();
        var section = Measure(log, firstDirtyOffset, nowMs);
        var segments = log.Segments.ToArray();
        var endOffset = BuildOffsetMap(segments, section, cancel);
        if (endOffset <= section.FirstDirtyOffset)
            return null;

        var config = log.Config;
        var producers = log.ProducerLastOffsets();
        long read = 0, written = 0, recordsRead = 0, recordsKept = 0;
        var cleanable = segments.TakeWhile((s, i) => i + 1 < segments.Length && segments[i + 1].BaseOffset <= endOffset).ToArray();
        foreach (var group in Groups(cleanable, segments, config))
        {
            cancel.ThrowIfCancellationRequested();
            var baseOffset = group[0].BaseOffset;
            var cleanedPath = LogFileNames.SegmentFile(log.Directory, baseOffset, LogFileNames.LogSuffix + LogFileNames.CleanedSuffix);
            var stats = WriteCleaned(group, cleanedPath, section.FirstDirtyOffset, producers, config, nowMs);
            if (!log.ReplaceSegments(group, cleanedPath))
                return null;
            read += stats.Read;
            written += stats.Written;
            recordsRead += stats.RecordsRead;
            recordsKept += stats.RecordsKept;
        }
        return new CleanResult(endOffset, read, written, recordsRead, recordsKept, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Maps the dirty segments, whole ones only, until the map is full; returns the offset mapping stopped at.</summary>
    private long BuildOffsetMap(LogSegment[] segments, CleanableSection section, CancellationToken cancel)
    {
        _map.Clear();
        var end = section.FirstDirtyOffset;
        for (var i = 0; i + 1 < segments.Length; i++)
        {
            var next = segments[i + 1].BaseOffset;
            if (next <= section.FirstDirtyOffset)
                continue;
            if (next > section.FirstUncleanableOffset)
                break;
            cancel.ThrowIfCancellationRequested();
            var full = false;
            ForEachBatch(segments[i], (batch, bytes) =>
            {
                if (!CleanerBatchFilter.IsCompactable(batch) || full)
                    return;
                CleanerBatchFilter.ForEachRecord(bytes, _map, (map, _, key, hasKey, _, offset) =>
                {
                    if (!hasKey)
                        return;
                    if (map.IsFull && map.Get(key) < 0)
                        full = true;
                    else
                        map.Put(key, offset);
                });
            });
            if (full)
            {
                // Kafka's rule: a map that cannot hold one segment's keys cannot clean anything.
                if (end == section.FirstDirtyOffset)
                    throw new LogException($"log.cleaner.dedupe.buffer.size holds {_map.Capacity} keys, fewer than segment {segments[i].BaseOffset} has.");
                break;
            }
            end = next;
        }
        return end;
    }

    /// <summary>Adjacent segments whose cleaned sum still fits one segment and one index's 32-bit relative offsets.</summary>
    private static IEnumerable<LogSegment[]> Groups(LogSegment[] cleanable, LogSegment[] all, LogConfig config)
    {
        var i = 0;
        while (i < cleanable.Length)
        {
            var group = new List<LogSegment> { cleanable[i] };
            long size = cleanable[i].Size;
            i++;
            while (i < cleanable.Length
                && size + cleanable[i].Size <= config.SegmentBytes
                && all[i + 1].BaseOffset - 1 - group[0].BaseOffset <= int.MaxValue)
            {
                size += cleanable[i].Size;
                group.Add(cleanable[i]);
                i++;
            }
            yield return [.. group];
        }
    }

    private readonly record struct GroupStats(long Read, long Written, long RecordsRead, long RecordsKept);

    private GroupStats WriteCleaned(LogSegment[] group, string cleanedPath, long firstDirtyOffset, Dictionary<long, long> producers, LogConfig config, long nowMs)
    {
        long read = 0, written = 0, recordsRead = 0, recordsKept = 0;
        using var output = new PooledBufferWriter(64 * 1024);
        using (var file = new FileStream(cleanedPath, FileMode.Create, FileAccess.Write, FileShare.Read))
        {
            foreach (var segment in group)
            {
                // Tombstones go only from segments cleaned before, once delete.retention.ms has passed since.
                var dropTombstones = segment.BaseOffset < firstDirtyOffset && nowMs - segment.LastModifiedMs >= config.DeleteRetentionMs;
                ForEachBatch(segment, (batch, bytes) =>
                {
                    read += bytes.Length;
                    recordsRead += batch.RecordsCount;
                    if (!CleanerBatchFilter.IsCompactable(batch))
                    {
                        bytes.CopyTo(output.GetSpan(bytes.Length));
                        output.Advance(bytes.Length);
                        recordsKept += batch.RecordsCount;
                    }
                    else
                    {
                        var keepIfEmpty = batch.ProducerId >= 0 && producers.TryGetValue(batch.ProducerId, out var last) && last == batch.LastOffset;
                        recordsKept += CleanerBatchFilter.Filter(bytes, output, (key, hasKey, hasValue, offset) =>
                            hasKey && _map.Get(key) <= offset && (hasValue || !dropTombstones), keepIfEmpty);
                    }
                    if (output.WrittenCount >= 64 * 1024)
                        written += Drain(output, file);
                });
                _throttle.Consume(segment.Size);
            }
            written += Drain(output, file);
            file.Flush(flushToDisk: true);
        }
        // The file's time says when it was cleaned: delete.retention.ms counts from it.
        File.SetLastWriteTimeUtc(cleanedPath, DateTimeOffset.FromUnixTimeMilliseconds(nowMs).UtcDateTime);
        _throttle.Consume(written);
        return new GroupStats(read, written, recordsRead, recordsKept);
    }

    private static int Drain(PooledBufferWriter output, FileStream file)
    {
        var count = output.WrittenCount;
        file.Write(output.WrittenSpan);
        output.Reset();
        return count;
    }

    private delegate void BatchVisitor(BatchInfo batch, ReadOnlySpan<byte> bytes);

    /// <summary>Reads an inactive segment's batches in order through one pooled buffer.</summary>
    private static void ForEachBatch(LogSegment segment, BatchVisitor visit)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            var position = 0;
            var size = segment.Size;
            while (position + RecordBatchLayout.HeaderSize <= size)
            {
                var got = segment.ReadBytes(buffer, position);
                var cursor = 0;
                while (cursor + RecordBatchLayout.HeaderSize <= got)
                {
                    var batch = BatchInfo.Read(buffer.AsSpan(cursor), position + cursor);
                    if (batch.Size < RecordBatchLayout.HeaderSize)
                        return;
                    if (cursor + batch.Size > got)
                        break;
                    visit(batch, buffer.AsSpan(cursor, batch.Size));
                    cursor += batch.Size;
                }
                if (cursor == 0)
                {
                    // One batch larger than the buffer: grow to hold it.
                    var needed = BatchInfo.Read(buffer, position).Size;
                    if (position + needed > size)
                        return;
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(needed);
                    continue;
                }
                position += cursor;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
