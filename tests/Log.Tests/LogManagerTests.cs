using Broker.Log.Tests.Support;

namespace Broker.Log.Tests;

public class LogManagerTests
{
    private static readonly LogConfig Config = new() { SegmentBytes = 1024, FileDeleteDelayMs = 0 };

    private sealed class Fixture : IDisposable
    {
        private readonly TempDirectory _temp = new();
        public readonly List<Action> Deferred = [];

        public Fixture(int directories = 1)
        {
            Directories = Enumerable.Range(0, directories).Select(i => _temp.Combine($"logs{i}")).ToArray();
            Context = new LogContext
            {
                Time = Clock,
                Schedule = (delay, work) =>
                {
                    if (delay > TimeSpan.Zero)
                        Deferred.Add(work);
                    else
                        work();
                },
            };
        }

        public TestClock Clock { get; } = new();
        public LogContext Context { get; }
        public string[] Directories { get; }

        public LogManager Open(Func<string, LogConfig>? configs = null) =>
            LogManager.Open(Directories, configs ?? (_ => Config), Context, recoveryThreads: 2);

        public void Dispose() => _temp.Dispose();
    }

    private static void Fill(PartitionLog log, int batches)
    {
        for (var i = 0; i < batches; i++)
            log.Append(TestBatches.Create(records: 2, timestamp: 5_000 + i), 0);
        log.UpdateHighWatermark(log.LogEndOffset);
    }

    [Fact]
    public void Close_writes_checkpoints_and_the_clean_marker_and_reopening_scans_nothing()
    {
        using var f = new Fixture();
        var manager = f.Open();
        var orders = manager.GetOrCreateLog(new TopicPartition("orders", 0));
        var payments = manager.GetOrCreateLog(new TopicPartition("payments", 3));
        Fill(orders, 20);
        Fill(payments, 2);
        orders.DeleteRecordsBefore(4);
        manager.Close(brokerEpoch: 42);

        var dir = f.Directories[0];
        Assert.Equal("{\"version\":0,\"brokerEpoch\":42}", File.ReadAllText(Path.Combine(dir, LogFileNames.CleanShutdown)));
        Assert.Equal(["0", "2", "orders 0 40", "payments 3 4"], File.ReadAllLines(Path.Combine(dir, LogFileNames.RecoveryPointCheckpoint)).Order(StringComparer.Ordinal).OrderBy(l => l.Contains(' ')));
        Assert.Contains("orders 0 4", File.ReadAllLines(Path.Combine(dir, LogFileNames.LogStartOffsetCheckpoint)));
        Assert.Contains("orders 0 40", File.ReadAllLines(Path.Combine(dir, LogFileNames.ReplicationOffsetCheckpoint)));

        using var reopened = f.Open();
        Assert.Empty(reopened.UncleanDirectories);
        Assert.False(File.Exists(Path.Combine(dir, LogFileNames.CleanShutdown)));
        var log = reopened.GetLog(new TopicPartition("orders", 0))!;
        Assert.Equal(0, log.LoadStats.SegmentsRecovered);
        Assert.Equal((4L, 40L, 40L), (log.LogStartOffset, log.LogEndOffset, log.HighWatermark));
        Assert.Equal(2, reopened.Logs.Count);
    }

    [Fact]
    public void Without_the_marker_logs_are_recovered_from_the_checkpointed_recovery_point()
    {
        using var f = new Fixture();
        var manager = f.Open();
        var log = manager.GetOrCreateLog(new TopicPartition("orders", 0));
        Fill(log, 20);
        manager.Checkpoint();
        foreach (var l in manager.Logs)
            l.CloseHandles();

        using var reopened = f.Open();

        Assert.Equal(f.Directories, reopened.UncleanDirectories);
        var recovered = reopened.GetLog(new TopicPartition("orders", 0))!;
        Assert.True(recovered.LoadStats.SegmentsRecovered >= 1);
        Assert.True(recovered.LoadStats.SegmentsRecovered < recovered.Segments.Count, "segments below the recovery point are trusted");
        Assert.Equal(40, recovered.LogEndOffset);
    }

    [Fact]
    public void New_partitions_go_to_the_directory_holding_fewest()
    {
        using var f = new Fixture(directories: 2);
        using var manager = f.Open();
        var logs = Enumerable.Range(0, 4).Select(p => manager.GetOrCreateLog(new TopicPartition("t", p))).ToList();

        var perDirectory = logs.GroupBy(l => Path.GetDirectoryName(l.Directory)).Select(g => g.Count()).ToList();
        Assert.Equal([2, 2], perDirectory);
        Assert.Same(logs[0], manager.GetOrCreateLog(new TopicPartition("t", 0)));
    }

    [Fact]
    public void Topic_ids_are_written_to_partition_metadata_as_kafka_prints_them()
    {
        using var f = new Fixture();
        var topicId = new Guid(Enumerable.Range(1, 16).Select(i => (byte)i).ToArray(), bigEndian: true);
        var manager = f.Open();
        var log = manager.GetOrCreateLog(new TopicPartition("orders", 0), topicId);

        Assert.Equal("version: 0\ntopic_id: AQIDBAUGBwgJCgsMDQ4PEA\n", File.ReadAllText(Path.Combine(log.Directory, LogFileNames.PartitionMetadata)));
        manager.Close();
        using var reopened = f.Open();
        Assert.Equal(topicId, reopened.GetLog(new TopicPartition("orders", 0))!.TopicId);
        Assert.True(PartitionMetadataFile.TryParseKafkaString("AAAAAAAAAAAAAAAAAAAAAQ", out var one));
        Assert.Equal(new Guid("00000000-0000-0000-0000-000000000001"), one);
    }

    [Fact]
    public void Deleting_a_log_renames_its_directory_then_removes_it_after_the_delay()
    {
        using var f = new Fixture();
        using var manager = f.Open(_ => Config with { FileDeleteDelayMs = 30_000 });
        var tp = new TopicPartition("orders", 1);
        var log = manager.GetOrCreateLog(tp);
        Fill(log, 3);

        Assert.True(manager.DeleteLog(tp));

        Assert.Null(manager.GetLog(tp));
        Assert.False(Directory.Exists(log.Directory));
        var doomed = Assert.Single(Directory.GetDirectories(f.Directories[0]));
        Assert.Matches(@"^orders-1\.[0-9a-f]{32}-delete$", Path.GetFileName(doomed));
        Assert.Single(f.Deferred)();
        Assert.False(Directory.Exists(doomed));
        // The name is free again at once.
        Assert.Equal(0, manager.GetOrCreateLog(tp).LogEndOffset);
    }

    [Fact]
    public void Directories_left_marked_for_deletion_are_removed_on_open()
    {
        using var f = new Fixture();
        var leftover = Path.Combine(f.Directories[0], "orders-0.0123456789abcdef0123456789abcdef-delete");
        Directory.CreateDirectory(leftover);
        File.WriteAllText(Path.Combine(leftover, "00000000000000000000.log"), "x");

        using var manager = f.Open();

        Assert.False(Directory.Exists(leftover));
        Assert.Empty(manager.Logs);
    }

    [Fact]
    public void The_metadata_log_and_stray_directories_are_not_partition_logs()
    {
        using var f = new Fixture();
        Directory.CreateDirectory(Path.Combine(f.Directories[0], "__cluster_metadata-0"));
        Directory.CreateDirectory(Path.Combine(f.Directories[0], "lost+found"));

        using var manager = f.Open();

        Assert.Empty(manager.Logs);
    }

    [Fact]
    public void Cleanup_applies_each_topics_retention()
    {
        using var f = new Fixture();
        using var manager = f.Open(topic => Config with { RetentionMs = topic == "short" ? 1_000 : -1 });
        var shortLived = manager.GetOrCreateLog(new TopicPartition("short", 0));
        var kept = manager.GetOrCreateLog(new TopicPartition("kept", 0));
        Fill(shortLived, 30);
        Fill(kept, 30);

        Assert.True(manager.CleanupLogs() > 0);

        Assert.Equal(60, shortLived.LogStartOffset);
        Assert.Equal(0, kept.LogStartOffset);
    }

    [Fact]
    public void The_same_partition_in_two_directories_fails_the_open()
    {
        using var f = new Fixture(directories: 2);
        foreach (var dir in f.Directories)
            Directory.CreateDirectory(Path.Combine(dir, "orders-0"));

        Assert.Throws<AggregateException>(() => f.Open());
    }

    [Fact]
    public void Flush_dirty_logs_honours_flush_ms()
    {
        using var f = new Fixture();
        using var manager = f.Open(_ => Config with { FlushMs = 500 });
        var log = manager.GetOrCreateLog(new TopicPartition("orders", 0));
        Fill(log, 2);

        manager.FlushDirtyLogs();
        Assert.Equal(0, log.RecoveryPoint);
        f.Clock.Advance(500);
        manager.FlushDirtyLogs();
        Assert.Equal(4, log.RecoveryPoint);
    }

    [Fact]
    public void Offset_checkpoints_round_trip()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine(LogFileNames.RecoveryPointCheckpoint);
        var offsets = new Dictionary<TopicPartition, long> { [new("a-b", 0)] = 7, [new("c", 12)] = 0 };

        OffsetCheckpointFile.Write(path, offsets);

        Assert.Equal(offsets, OffsetCheckpointFile.Read(path));
        Assert.Empty(OffsetCheckpointFile.Read(dir.Combine("missing")));
        File.WriteAllText(path, "1\n0\n");
        Assert.Throws<CorruptLogFileException>(() => OffsetCheckpointFile.Read(path));
    }
}
