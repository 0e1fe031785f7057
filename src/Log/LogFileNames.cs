using System.Globalization;

namespace Broker.Log;

/// <summary>The names Kafka gives the files of a log directory, so an operator recognises every one.</summary>
public static class LogFileNames
{
    public const string LogSuffix = ".log";
    public const string IndexSuffix = ".index";
    public const string TimeIndexSuffix = ".timeindex";
    /// <summary>Producer state as of the offset in the name (<see cref="ProducerSnapshotFile"/>).</summary>
    public const string SnapshotSuffix = ".snapshot";
    /// <summary>Appended to a segment's files when it leaves the log; they are removed after <c>file.delete.delay.ms</c>.</summary>
    public const string DeletedSuffix = ".deleted";
    /// <summary>A segment the cleaner is still writing; a crash leaves it stale.</summary>
    public const string CleanedSuffix = ".cleaned";
    /// <summary>A cleaned segment committed to replace others; recovery completes the swap.</summary>
    public const string SwapSuffix = ".swap";
    public const string TempSuffix = ".tmp";

    public const string LeaderEpochCheckpoint = "leader-epoch-checkpoint";
    public const string PartitionMetadata = "partition.metadata";

    public const string CleanShutdown = ".kafka_cleanshutdown";
    public const string RecoveryPointCheckpoint = "recovery-point-offset-checkpoint";
    public const string LogStartOffsetCheckpoint = "log-start-offset-checkpoint";
    public const string ReplicationOffsetCheckpoint = "replication-offset-checkpoint";
    /// <summary>Per log directory: where each compacted log's dirty section starts.</summary>
    public const string CleanerOffsetCheckpoint = "cleaner-offset-checkpoint";

    /// <summary>A partition directory renamed to <c>topic-N.uuid-delete</c> is on its way out.</summary>
    public const string DeleteDirectorySuffix = "-delete";
    /// <summary>A partition directory this node found it does not host, kept aside rather than deleted (Kafka's <c>-stray</c>).</summary>
    public const string StrayDirectorySuffix = "-stray";

    private const int OffsetDigits = 20;

    /// <summary>20 zero-padded digits: the width of <see cref="long.MaxValue"/>, so names sort as offsets do.</summary>
    public static string OffsetToName(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return offset.ToString("D20", CultureInfo.InvariantCulture);
    }

    public static string SegmentFile(string directory, long baseOffset, string suffix) =>
        Path.Combine(directory, OffsetToName(baseOffset) + suffix);

    /// <summary>True for exactly 20 digits followed by <paramref name="suffix"/>.</summary>
    public static bool TryParseSegmentFile(string fileName, string suffix, out long baseOffset)
    {
        baseOffset = -1;
        if (fileName.Length != OffsetDigits + suffix.Length || !fileName.EndsWith(suffix, StringComparison.Ordinal))
            return false;
        var digits = fileName.AsSpan(0, OffsetDigits);
        foreach (var c in digits)
            if (c is < '0' or > '9')
                return false;
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }
}
