using System.Buffers.Binary;
using Broker.Log.Tests.Support;

namespace Broker.Log.Tests;

/// <summary>Producer state snapshots: Kafka's file format, written at roll and close, and recovery from them.</summary>
public class ProducerSnapshotTests
{
    private const long Pid = 77;
    private static readonly int BatchSize = TestBatches.Idempotent(Pid, 0, 0, records: 2).Length;

    [Fact]
    public void The_format_is_kafkas_version_1_with_a_crc32c_over_the_entries()
    {
        var entry = new ProducerStateEntry(Pid, 3);
        entry.AddBatch(3, new ProducerBatch(LastSequence: 9, LastOffset: 100, OffsetDelta: 4, Timestamp: 1234));

        var bytes = ProducerSnapshotFile.Serialize([entry]);

        Assert.Equal(2 + 4 + 4 + 46, bytes.Length);
        Assert.Equal(1, BinaryPrimitives.ReadInt16BigEndian(bytes));
        Assert.Equal(Broker.Protocol.Records.Crc32C.Compute(bytes.AsSpan(6)), BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(2)));
        Assert.Equal(1, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(6)));
        var e = bytes.AsSpan(10);
        Assert.Equal(Pid, BinaryPrimitives.ReadInt64BigEndian(e));
        Assert.Equal(3, BinaryPrimitives.ReadInt16BigEndian(e[8..]));
        Assert.Equal(9, BinaryPrimitives.ReadInt32BigEndian(e[10..]));
        Assert.Equal(100, BinaryPrimitives.ReadInt64BigEndian(e[14..]));
        Assert.Equal(4, BinaryPrimitives.ReadInt32BigEndian(e[22..]));
        Assert.Equal(1234, BinaryPrimitives.ReadInt64BigEndian(e[26..]));
        Assert.Equal(-1, BinaryPrimitives.ReadInt32BigEndian(e[34..]));
        Assert.Equal(-1, BinaryPrimitives.ReadInt64BigEndian(e[38..]));

        var back = Assert.Single(ProducerSnapshotFile.Deserialize(bytes, "test"));
        Assert.Equal((Pid, (short)3), (back.ProducerId, back.Epoch));
        Assert.Equal([new ProducerBatch(9, 100, 4, 1234)], back.Batches);
    }

    [Fact]
    public void All_five_retained_batches_survive_a_round_trip_and_a_flipped_byte_is_detected()
    {
        var entry = new ProducerStateEntry(Pid, 0);
        for (var i = 0; i < 7; i++)
            entry.AddBatch(0, new ProducerBatch(i, i * 10, 0, i));
        var bytes = ProducerSnapshotFile.Serialize([entry]);

        Assert.Equal([2, 3, 4, 5, 6], ProducerSnapshotFile.Deserialize(bytes, "t")[0].Batches.Select(b => b.LastSequence));
        bytes[20] ^= 1;
        Assert.Throws<CorruptLogFileException>(() => ProducerSnapshotFile.Deserialize(bytes, "t"));
    }

    [Fact]
    public void A_snapshot_is_written_at_each_roll_and_on_close_and_goes_with_its_segment()
    {
        using var t = new TestLog(new LogConfig { SegmentBytes = BatchSize * 2, FileDeleteDelayMs = 0, RetentionBytes = BatchSize * 2 });
        for (var i = 0; i < 4; i++)
            t.Append(TestBatches.Idempotent(Pid, 0, i * 2, records: 2));

        Assert.Equal([4L], ProducerSnapshotFile.List(t.Directory));
        var atRoll = Assert.Single(ProducerSnapshotFile.Read(ProducerSnapshotFile.PathFor(t.Directory, 4)));
        Assert.Equal(3, atRoll.LastSequence);

        t.Log.UpdateHighWatermark(t.Log.LogEndOffset);
        t.Append(TestBatches.Idempotent(Pid, 0, 8, records: 2));
        t.Log.UpdateHighWatermark(t.Log.LogEndOffset);
        Assert.Equal([4L, 8L], ProducerSnapshotFile.List(t.Directory));
        t.Log.DeleteExpiredSegments();
        Assert.DoesNotContain(4L, ProducerSnapshotFile.List(t.Directory));

        t.CloseCleanly();
        Assert.Contains(10L, ProducerSnapshotFile.List(t.Directory));
    }

    [Fact]
    public void A_snapshot_taken_at_close_goes_once_retention_passes_it()
    {
        using var t = new TestLog(new LogConfig { SegmentBytes = BatchSize * 2, FileDeleteDelayMs = 0, RetentionBytes = BatchSize * 2 });
        t.Append(TestBatches.Idempotent(Pid, 0, 0, records: 2));
        t.Reopen(t.CloseCleanly());
        Assert.Equal([2L], ProducerSnapshotFile.List(t.Directory)); // not a segment's base offset
        for (var i = 1; i < 6; i++)
            t.Append(TestBatches.Idempotent(Pid, 0, i * 2, records: 2));
        t.Log.UpdateHighWatermark(t.Log.LogEndOffset);

        t.Log.DeleteExpiredSegments();

        Assert.All(ProducerSnapshotFile.List(t.Directory), o => Assert.True(o >= t.Log.Segments[0].BaseOffset, $"snapshot {o}"));
        Assert.DoesNotContain(2L, ProducerSnapshotFile.List(t.Directory));
    }

    [Fact]
    public void After_a_clean_restart_retries_of_the_last_five_batches_are_still_recognised()
    {
        using var t = new TestLog();
        for (var i = 0; i < 5; i++)
            t.Append(TestBatches.Idempotent(Pid, 0, i));
        t.Reopen(t.CloseCleanly());

        for (var i = 0; i < 5; i++)
        {
            var retry = t.Append(TestBatches.Idempotent(Pid, 0, i));
            Assert.True(retry.Duplicate);
            Assert.Equal(i, retry.FirstOffset);
        }
        Assert.Equal(5, t.Log.LogEndOffset);
        Assert.Throws<OutOfOrderSequenceException>(() => t.Append(TestBatches.Idempotent(Pid, 0, 6)));
    }

    [Fact]
    public void After_a_crash_the_state_is_rebuilt_from_the_last_snapshot_plus_the_batches_after_it()
    {
        using var t = new TestLog(new LogConfig { SegmentBytes = BatchSize * 2, FileDeleteDelayMs = 0 });
        for (var i = 0; i < 5; i++)
            t.Append(TestBatches.Idempotent(Pid, 0, i * 2, records: 2)); // segments at 0, 4, 8; snapshots at 4, 8
        t.Reopen(t.Crash());

        var (_, batches) = t.Log.ProducerState(Pid)!.Value;
        Assert.Equal(9, batches[^1].LastSequence);
        Assert.True(t.Append(TestBatches.Idempotent(Pid, 0, 6, records: 2)).Duplicate);
        Assert.Equal(10, t.Append(TestBatches.Idempotent(Pid, 0, 10)).FirstOffset);
    }

    [Fact]
    public void Snapshots_past_a_truncated_tail_are_deleted_and_a_corrupt_one_falls_back_to_the_log()
    {
        using var t = new TestLog(new LogConfig { SegmentBytes = BatchSize * 2, FileDeleteDelayMs = 0 });
        for (var i = 0; i < 4; i++)
            t.Append(TestBatches.Idempotent(Pid, 0, i * 2, records: 2));
        var checkpoint = t.Crash();
        File.WriteAllBytes(ProducerSnapshotFile.PathFor(t.Directory, 100), ProducerSnapshotFile.Serialize([]));
        File.WriteAllBytes(ProducerSnapshotFile.PathFor(t.Directory, 4), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

        t.Reopen(checkpoint);

        Assert.DoesNotContain(100L, ProducerSnapshotFile.List(t.Directory));
        Assert.Equal(7, t.Log.ProducerState(Pid)!.Value.Batches[^1].LastSequence);
    }

    [Fact]
    public void Truncation_rebuilds_the_state_of_what_is_left()
    {
        using var t = new TestLog();
        for (var i = 0; i < 4; i++)
            t.Append(TestBatches.Idempotent(Pid, 0, i));

        t.Log.TruncateTo(2);

        Assert.Equal(1, t.Log.ProducerState(Pid)!.Value.Batches[^1].LastSequence);
        Assert.Equal(2, t.Append(TestBatches.Idempotent(Pid, 0, 2)).FirstOffset);
    }
}
