using Broker.Config;
using Broker.Log;

namespace Broker.Replication;

/// <summary>Maps a topic's resolved configuration onto what the log store needs.</summary>
public static class LogConfigs
{
    public static LogConfig From(TopicConfig topic) => LogConfig.Default with
    {
        SegmentBytes = topic.SegmentBytes,
        SegmentMs = topic.SegmentMs,
        SegmentIndexBytes = topic.SegmentIndexBytes,
        IndexIntervalBytes = topic.IndexIntervalBytes,
        RetentionMs = topic.RetentionMs,
        RetentionBytes = topic.RetentionBytes,
        FlushMessages = topic.FlushMessages,
        FlushMs = topic.FlushMs,
        FileDeleteDelayMs = topic.FileDeleteDelayMs,
        Compact = topic.CleanupPolicy.Contains("compact"),
        Delete = topic.CleanupPolicy.Contains("delete"),
        DeleteRetentionMs = topic.DeleteRetentionMs,
        MinCompactionLagMs = topic.MinCompactionLagMs,
        MaxCompactionLagMs = topic.MaxCompactionLagMs,
        MinCleanableDirtyRatio = topic.MinCleanableDirtyRatio,
    };
}
