using Broker.Protocol.Records;

namespace Broker.Log;

/// <summary>What the log cleaner needs of an inactive segment: its raw bytes and when it was last written.</summary>
public sealed partial class LogSegment
{
    /// <summary>Copies bytes from <paramref name="position"/>; returns how many were read (fewer at the end of the segment).</summary>
    internal int ReadBytes(Span<byte> destination, int position)
    {
        var length = Math.Min(destination.Length, Size - position);
        if (length <= 0)
            return 0;
        using var lease = _file.Acquire();
        return FileIo.ReadFully(lease.Handle, destination[..length], position);
    }

    /// <summary>The log file's modification time: for a cleaned segment, when the cleaner wrote it.</summary>
    internal long LastModifiedMs => new DateTimeOffset(File.GetLastWriteTimeUtc(LogPath)).ToUnixTimeMilliseconds();

    /// <summary>The first batch's timestamp, or -1: how old the oldest record of the segment is.</summary>
    internal long FirstBatchTimestamp => FindBatch(BaseOffset)?.MaxTimestamp ?? RecordBatchLayout.NoTimestamp;
}
