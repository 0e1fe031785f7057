using Broker.Log.Tests.Support;

namespace Broker.Log.Tests;

public class LogCleanerTests
{
    [Fact]
    public void The_cleaner_cleans_dirty_compacted_logs_and_resumes_from_its_checkpoint_after_a_restart()
    {
        using var temp = new TempDirectory();
        var clock = new TestClock();
        var context = new LogContext { Time = clock, Schedule = (_, work) => work() };
        var batchSize = KeyedBatches.One("k0", "v00").Length;
        var compacted = new LogConfig { Compact = true, Delete = false, SegmentBytes = batchSize * 4, FileDeleteDelayMs = 0 };
        LogConfig ConfigOf(string topic) => topic == "plain" ? compacted with { Compact = false, Delete = true } : compacted;
        var settings = new LogCleanerSettings { DedupeBufferBytes = 1024 * 1024 };
        var compactedTp = new TopicPartition("table", 0);

        using (var logs = LogManager.Open([temp.Path], ConfigOf, context))
        {
            foreach (var tp in new[] { compactedTp, new TopicPartition("plain", 0) })
            {
                var log = logs.GetOrCreateLog(tp);
                for (var i = 0; i < 12; i++)
                    log.Append(KeyedBatches.One($"k{i % 2}", $"v{i:D2}"), 0);
                log.UpdateHighWatermark(log.LogEndOffset);
            }
            var cleaner = new LogCleaner(logs, settings, context);

            Assert.True(cleaner.CleanDirtiestLog());
            Assert.False(cleaner.CleanDirtiestLog());

            Assert.Equal(8, cleaner.CheckpointOf(compactedTp));
            Assert.Equal([6L, 7, 8, 9, 10, 11], KeyedBatches.ReadRecords(logs.GetLog(compactedTp)!).Select(r => r.Offset));
            Assert.Equal(12, KeyedBatches.ReadRecords(logs.GetLog(new TopicPartition("plain", 0))!).Count);
            Assert.Contains("table 0 8", File.ReadAllText(Path.Combine(temp.Path, LogFileNames.CleanerOffsetCheckpoint)));
            logs.Close();
        }

        using (var logs = LogManager.Open([temp.Path], ConfigOf, context))
        {
            var cleaner = new LogCleaner(logs, settings, context);
            Assert.Equal(8, cleaner.CheckpointOf(compactedTp));
            // Eight more records make the log dirtier than the default 0.5 ratio again.
            var log = logs.GetLog(compactedTp)!;
            for (var i = 12; i < 20; i++)
                log.Append(KeyedBatches.One($"k{i % 2}", $"v{i:D2}"), 0);
            log.UpdateHighWatermark(log.LogEndOffset);
            Assert.True(cleaner.CleanDirtiestLog());
            Assert.Equal(16, cleaner.CheckpointOf(compactedTp));
            Assert.Equal([14L, 15, 16, 17, 18, 19], KeyedBatches.ReadRecords(log).Select(r => r.Offset));
        }
    }

    [Fact]
    public void The_background_thread_cleans_without_being_asked()
    {
        using var temp = new TempDirectory();
        var batchSize = KeyedBatches.One("k0", "v00").Length;
        var config = new LogConfig { Compact = true, SegmentBytes = batchSize * 4, FileDeleteDelayMs = 0 };
        using var logs = LogManager.Open([temp.Path], _ => config);
        var log = logs.GetOrCreateLog(new TopicPartition("table", 0));
        for (var i = 0; i < 40; i++)
            log.Append(KeyedBatches.One("k", $"v{i:D2}"), 0);
        log.UpdateHighWatermark(log.LogEndOffset);
        using var cleaned = new ManualResetEventSlim();
        using var cleaner = new LogCleaner(logs, new LogCleanerSettings { DedupeBufferBytes = 1024 * 1024, BackoffMs = 10 });
        cleaner.Cleaned += (_, _) => cleaned.Set();

        cleaner.Start();

        Assert.True(cleaned.Wait(TimeSpan.FromSeconds(30)));
        Assert.Equal(35, KeyedBatches.ReadRecords(log)[0].Offset);
    }
}
