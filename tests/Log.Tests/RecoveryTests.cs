using Broker.Log.Tests.Support;
using Broker.Protocol.Records;

namespace Broker.Log.Tests;

public class RecoveryTests
{
    private static readonly int BatchSize = TestBatches.Create(records: 2).Length;

    /// <summary>Three segments of four two-record batches each: offsets 0–23.</summary>
    private static TestLog ThreeSegments(int indexInterval = 100)
    {
        var t = new TestLog(new LogConfig { SegmentBytes = BatchSize * 4, IndexIntervalBytes = indexInterval, FileDeleteDelayMs = 0 });
        for (var i = 0; i < 12; i++)
            t.Log.Append(TestBatches.Create(records: 2, timestamp: 1_000 + i), leaderEpoch: i < 6 ? 1 : 2);
        Assert.Equal([0L, 8L, 16L], t.Log.Segments.Select(s => s.BaseOffset));
        return t;
    }

    private static void FlipByte(string path, long position)
    {
        using var file = File.Open(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = position;
        var b = file.ReadByte();
        file.Position = position;
        file.WriteByte((byte)(b ^ 0x5A));
    }

    private static void AssertHolds(TestLog t, long endOffset)
    {
        Assert.Equal(endOffset, t.Log.LogEndOffset);
        var batches = t.ReadAll();
        Assert.Equal(Enumerable.Range(0, (int)(endOffset / 2)).Select(i => 2L * i), batches.Select(b => b.BaseOffset));
    }

    [Fact]
    public void A_batch_torn_by_a_crash_is_cut_and_everything_before_it_kept()
    {
        using var t = ThreeSegments();
        var checkpoint = t.Crash();
        var last = t.SegmentPath(16, LogFileNames.LogSuffix);
        using (var file = File.Open(last, FileMode.Open))
            file.SetLength(BatchSize * 3 + BatchSize / 2);

        t.Reopen(checkpoint);

        AssertHolds(t, 22);
        Assert.Equal(BatchSize * 3, new FileInfo(last).Length);
        Assert.Equal(BatchSize / 2, t.Log.LoadStats.BytesTruncated);
        Assert.False(t.Log.LoadStats.CleanShutdown);
    }

    [Fact]
    public void A_flipped_byte_fails_the_crc_and_the_log_ends_before_that_batch()
    {
        using var t = ThreeSegments();
        var checkpoint = t.Crash();
        FlipByte(t.SegmentPath(16, LogFileNames.LogSuffix), BatchSize + RecordBatchLayout.HeaderSize + 3);

        t.Reopen(checkpoint);

        AssertHolds(t, 18);
        Assert.Equal(BatchSize * 3, t.Log.LoadStats.BytesTruncated);
    }

    [Fact]
    public void Corruption_in_a_middle_segment_deletes_the_segments_after_it()
    {
        using var t = ThreeSegments();
        var checkpoint = t.Crash();
        FlipByte(t.SegmentPath(8, LogFileNames.LogSuffix), 2 * BatchSize + RecordBatchLayout.HeaderSize + 1);

        t.Reopen(checkpoint);

        AssertHolds(t, 12);
        Assert.Equal([0L, 8L], t.Log.Segments.Select(s => s.BaseOffset));
        Assert.False(File.Exists(t.SegmentPath(16, LogFileNames.LogSuffix)));
        Assert.False(File.Exists(t.SegmentPath(16, LogFileNames.IndexSuffix)));
        Assert.Equal(1, t.Log.LoadStats.SegmentsDeleted);
        // The cut segment is active again and takes appends at the offset after the damage.
        Assert.Equal(12, t.Log.Append(TestBatches.Create(records: 2), 2).FirstOffset);
        AssertHolds(t, 14);
    }

    [Fact]
    public void Garbage_after_the_last_batch_is_cut() =>
        AssertTailDamageIsCut(file => file.Write(Enumerable.Range(0, 300).Select(i => (byte)(i * 37 + 11)).ToArray()));

    [Fact]
    public void Zeros_after_the_last_batch_are_cut() =>
        AssertTailDamageIsCut(file => file.SetLength(file.Length + 4096));

    [Fact]
    public void A_header_claiming_more_bytes_than_the_file_holds_is_a_torn_tail() =>
        AssertTailDamageIsCut(file => file.Write(TestBatches.Create(records: 50)[..200]));

    private static void AssertTailDamageIsCut(Action<FileStream> damage)
    {
        using var t = ThreeSegments();
        var checkpoint = t.Crash();
        var last = t.SegmentPath(16, LogFileNames.LogSuffix);
        var valid = new FileInfo(last).Length;
        using (var file = File.Open(last, FileMode.Append))
            damage(file);

        t.Reopen(checkpoint);

        AssertHolds(t, 24);
        Assert.Equal(valid, new FileInfo(last).Length);
    }

    [Fact]
    public void Deleted_index_files_are_rebuilt_after_a_crash()
    {
        using var t = ThreeSegments(indexInterval: 1);
        var checkpoint = t.Crash();
        foreach (var baseOffset in new long[] { 0, 8, 16 })
        {
            File.Delete(t.SegmentPath(baseOffset, LogFileNames.IndexSuffix));
            File.Delete(t.SegmentPath(baseOffset, LogFileNames.TimeIndexSuffix));
        }

        t.Reopen(checkpoint);

        AssertHolds(t, 24);
        Assert.Equal(3, t.Log.LoadStats.SegmentsRecovered);
        Assert.All(t.Log.Segments, s => Assert.True(s.HasIndexFiles));
        Assert.Equal(3 * 8L, new FileInfo(t.SegmentPath(0, LogFileNames.IndexSuffix)).Length);
        Assert.Equal(new TimestampAndOffset(1_005, 9, 1), t.Log.OffsetForTimestamp(1_005));
    }

    [Fact]
    public void Deleted_index_files_are_rebuilt_after_a_clean_shutdown_too()
    {
        using var t = ThreeSegments(indexInterval: 1);
        var checkpoint = t.CloseCleanly();
        File.Delete(t.SegmentPath(8, LogFileNames.IndexSuffix));

        t.Reopen(checkpoint);

        Assert.Equal(1, t.Log.LoadStats.SegmentsRecovered);
        Assert.True(File.Exists(t.SegmentPath(8, LogFileNames.IndexSuffix)));
        AssertHolds(t, 24);
    }

    [Fact]
    public void A_clean_shutdown_restart_scans_nothing()
    {
        using var t = ThreeSegments();
        var checkpoint = t.CloseCleanly();

        t.Reopen(checkpoint);

        Assert.True(t.Log.LoadStats.CleanShutdown);
        Assert.Equal(3, t.Log.LoadStats.SegmentsLoaded);
        Assert.Equal(0, t.Log.LoadStats.SegmentsRecovered);
        Assert.Equal(0, t.Log.LoadStats.BatchesRecovered);
        Assert.Equal(24, t.Log.RecoveryPoint);
        AssertHolds(t, 24);
    }

    [Fact]
    public void An_unclean_restart_scans_from_the_segment_holding_the_recovery_point()
    {
        using var t = ThreeSegments();
        var checkpoint = t.Crash(recoveryPoint: 10);

        t.Reopen(checkpoint);

        Assert.Equal(2, t.Log.LoadStats.SegmentsRecovered);
        Assert.Equal(8, t.Log.LoadStats.BatchesRecovered);
        Assert.Equal(10, t.Log.RecoveryPoint);
        AssertHolds(t, 24);
    }

    [Fact]
    public void A_bad_active_index_after_a_clean_shutdown_fails_the_sanity_check_and_is_rebuilt()
    {
        using var t = ThreeSegments(indexInterval: 1);
        var checkpoint = t.CloseCleanly();
        var index = t.SegmentPath(16, LogFileNames.IndexSuffix);
        var bytes = File.ReadAllBytes(index);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(index, bytes);

        t.Reopen(checkpoint);

        Assert.Equal(1, t.Log.LoadStats.SegmentsRecovered);
        AssertHolds(t, 24);
        Assert.Equal(22, t.Log.Read(22, 1).FirstOffset);
    }

    [Fact]
    public void Recovery_restores_the_leader_epoch_cache_from_the_batches()
    {
        using var t = ThreeSegments();
        var checkpoint = t.Crash();
        File.Delete(Path.Combine(t.Directory, LogFileNames.LeaderEpochCheckpoint));

        t.Reopen(checkpoint);

        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(2, 12)], t.Log.LeaderEpochs.Entries);
    }

    [Fact]
    public void Epochs_past_the_recovered_end_are_dropped()
    {
        using var t = ThreeSegments();
        var checkpoint = t.Crash();
        using (var file = File.Open(t.SegmentPath(8, LogFileNames.LogSuffix), FileMode.Open))
            file.SetLength(BatchSize * 2 + 5);

        t.Reopen(checkpoint);

        AssertHolds(t, 12);
        Assert.Equal([new EpochEntry(1, 0)], t.Log.LeaderEpochs.Entries);
    }

    [Fact]
    public void Leftover_files_from_an_interrupted_run_are_removed()
    {
        using var t = ThreeSegments();
        var checkpoint = t.CloseCleanly();
        var leftovers = new[]
        {
            t.SegmentPath(30, LogFileNames.LogSuffix + LogFileNames.DeletedSuffix),
            t.SegmentPath(99, LogFileNames.IndexSuffix),
            Path.Combine(t.Directory, LogFileNames.LeaderEpochCheckpoint + LogFileNames.TempSuffix),
        };
        foreach (var path in leftovers)
            File.WriteAllBytes(path, [1, 2, 3]);

        t.Reopen(checkpoint);

        Assert.All(leftovers, p => Assert.False(File.Exists(p)));
        AssertHolds(t, 24);
    }

    [Fact]
    public void Appends_continue_after_recovery_and_survive_another_crash()
    {
        using var t = ThreeSegments();
        var checkpoint = t.Crash();
        using (var file = File.Open(t.SegmentPath(16, LogFileNames.LogSuffix), FileMode.Open))
            file.SetLength(BatchSize + 1);
        t.Reopen(checkpoint);
        t.Log.Append(TestBatches.Create(records: 2), 3);
        t.Log.Append(TestBatches.Create(records: 2), 3);

        t.Reopen(t.Crash());

        AssertHolds(t, 22);
        Assert.Equal(3, t.Log.LeaderEpochs.LatestEpoch);
    }
}
