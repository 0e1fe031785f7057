using Broker.Protocol.Records;

namespace Broker.Log;

/// <summary>
/// The log's side of compaction: where the cleaner may work, the producers whose last batch must
/// survive, swapping cleaned segments in, and finishing a swap a crash interrupted.
/// </summary>
public sealed partial class PartitionLog
{
    /// <summary>
    /// Offsets from here on are not cleaned: the active segment's base, the high watermark (Kafka
    /// bounds cleaning by the last stable offset, which never passes it) and the first segment
    /// holding records younger than <c>min.compaction.lag.ms</c>.
    /// </summary>
    public long FirstUncleanableOffset(long nowMs)
    {
        var segments = Volatile.Read(ref _segments);
        var bound = Math.Min(segments[^1].BaseOffset, HighWatermark);
        var lag = Config.MinCompactionLagMs;
        if (lag > 0)
        {
            foreach (var segment in segments[..^1])
            {
                if (segment.BaseOffset >= bound)
                    break;
                if (nowMs - segment.LargestTimestamp < lag)
                    return Math.Min(bound, segment.BaseOffset);
            }
        }
        return bound;
    }

    /// <summary>The last offset of each idempotent producer's newest batch: those batches stay even when emptied.</summary>
    internal Dictionary<long, long> ProducerLastOffsets()
    {
        lock (_lock)
            return _producers.Entries.ToDictionary(e => e.ProducerId, e => e.LastOffset);
    }

    /// <summary>
    /// Replaces <paramref name="old"/> (adjacent, inactive) with the segment written to
    /// <paramref name="cleanedPath"/> (named <c>base.log.cleaned</c>). Crash-safe as Kafka's swap:
    /// the cleaned file becomes <c>.log.swap</c> (from then on recovery completes the swap), the old
    /// files become <c>.deleted</c>, the swap file becomes the <c>.log</c>; its indexes are rebuilt
    /// on first use. Returns false, deleting the cleaned file, when the log changed meanwhile.
    /// </summary>
    internal bool ReplaceSegments(IReadOnlyList<LogSegment> old, string cleanedPath)
    {
        lock (_lock)
        {
            var segments = _segments;
            var first = Array.IndexOf(segments, old[0]);
            var intact = !_closed && first >= 0 && first + old.Count < segments.Length;
            for (var i = 0; intact && i < old.Count; i++)
                intact = ReferenceEquals(segments[first + i], old[i]);
            if (!intact)
            {
                File.Delete(cleanedPath);
                return false;
            }
            var baseOffset = old[0].BaseOffset;
            var swapPath = LogFileNames.SegmentFile(Directory, baseOffset, LogFileNames.LogSuffix + LogFileNames.SwapSuffix);
            File.Move(cleanedPath, swapPath, overwrite: true);
            foreach (var segment in old)
                segment.RenameForDeletion();
            File.Move(swapPath, LogFileNames.SegmentFile(Directory, baseOffset, LogFileNames.LogSuffix));
            var cleaned = LogSegment.Open(Directory, baseOffset, Config, _context.NowMs, _context.Files);
            Volatile.Write(ref _segments, [.. segments[..first], cleaned, .. segments[(first + old.Count)..]]);
            // Readers that hold a region of an old segment finish copying it first, as after retention.
            _context.Run(TimeSpan.FromMilliseconds(Config.FileDeleteDelayMs), () =>
            {
                foreach (var segment in old)
                    segment.DeleteFiles();
            });
            return true;
        }
    }

    /// <summary>
    /// A <c>.log.swap</c> file means a crash came after the cleaner committed a cleaned segment:
    /// the segments it replaces (base offsets within its offset range) go and it takes their place,
    /// as Kafka's recovery does. Runs before leftovers are removed.
    /// </summary>
    private void CompleteInterruptedSwaps()
    {
        var swapSuffix = LogFileNames.LogSuffix + LogFileNames.SwapSuffix;
        foreach (var path in System.IO.Directory.GetFiles(Directory, "*" + swapSuffix))
        {
            if (!LogFileNames.TryParseSegmentFile(Path.GetFileName(path), swapSuffix, out var baseOffset))
                continue;
            var nextOffset = NextOffsetOfFile(path, baseOffset);
            foreach (var log in System.IO.Directory.GetFiles(Directory, "*" + LogFileNames.LogSuffix))
            {
                if (LogFileNames.TryParseSegmentFile(Path.GetFileName(log), LogFileNames.LogSuffix, out var b)
                    && b >= baseOffset && (b < nextOffset || b == baseOffset))
                {
                    File.Delete(log);
                    File.Delete(LogFileNames.SegmentFile(Directory, b, LogFileNames.IndexSuffix));
                    File.Delete(LogFileNames.SegmentFile(Directory, b, LogFileNames.TimeIndexSuffix));
                }
            }
            File.Move(path, LogFileNames.SegmentFile(Directory, baseOffset, LogFileNames.LogSuffix));
        }
    }

    private static long NextOffsetOfFile(string path, long baseOffset)
    {
        using var handle = FileIo.OpenReadWrite(path, FileMode.Open);
        var length = (int)Math.Min(RandomAccess.GetLength(handle), int.MaxValue);
        Span<byte> buffer = stackalloc byte[BatchHeaderReader.BufferSize];
        var reader = new BatchHeaderReader(handle, length, buffer);
        var next = baseOffset;
        var position = 0;
        while (reader.TryRead(position, out var batch))
        {
            next = batch.NextOffset;
            position = batch.End;
        }
        return next;
    }
}
