using Broker.Log.Tests.Support;

namespace Broker.Log.Tests;

public class SegmentFilePoolTests
{
    private static SegmentFile[] CreateFiles(TempDirectory dir, SegmentFilePool pool, int count) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var file = SegmentFile.Create(pool, dir.Combine($"{i}.log"));
            using var lease = file.Acquire();
            RandomAccess.Write(lease.Handle, BitConverter.GetBytes(i), 0);
            return file;
        }).ToArray();

    private static int ReadInt(SegmentFile file)
    {
        var bytes = new byte[4];
        using var lease = file.Acquire();
        Assert.Equal(4, RandomAccess.Read(lease.Handle, bytes, 0));
        return BitConverter.ToInt32(bytes);
    }

    [Fact]
    public void Idle_files_beyond_the_capacity_are_closed_and_reopen_on_use_with_their_contents()
    {
        using var dir = new TempDirectory();
        var pool = new SegmentFilePool(3);
        var files = CreateFiles(dir, pool, 10);

        Assert.Equal(3, pool.OpenCount);
        Assert.Equal(3, files.Count(f => f.IsOpen));
        Assert.Equal(7, pool.Evictions);
        for (var i = 0; i < files.Length; i++)
        {
            Assert.Equal(i, ReadInt(files[i]));
            Assert.True(pool.OpenCount <= 3);
        }
        Assert.Equal(20, pool.Opens);
    }

    [Fact]
    public void A_leased_file_is_never_closed_and_the_pool_shrinks_back_once_it_is_released()
    {
        using var dir = new TempDirectory();
        var pool = new SegmentFilePool(2);
        var held = SegmentFile.Create(pool, dir.Combine("held.log"));
        var lease = held.Acquire();
        RandomAccess.Write(lease.Handle, new byte[] { 7 }, 0);

        var others = CreateFiles(dir, pool, 6);
        Assert.True(held.IsOpen);
        var buffer = new byte[1];
        Assert.Equal(1, RandomAccess.Read(lease.Handle, buffer, 0));
        Assert.Equal(7, buffer[0]);

        lease.Dispose();
        foreach (var file in others)
            ReadInt(file);
        Assert.False(held.IsOpen);
        Assert.Equal(2, pool.OpenCount);
    }

    [Fact]
    public void A_file_used_between_opens_of_others_stays_open()
    {
        using var dir = new TempDirectory();
        var pool = new SegmentFilePool(4);
        var hot = SegmentFile.Create(pool, dir.Combine("hot.log"));
        for (var i = 0; i < 100; i++)
        {
            using (var lease = hot.Acquire())
                RandomAccess.Write(lease.Handle, BitConverter.GetBytes(i), 0);
            CreateFiles(dir, pool, 1);
            Assert.True(hot.IsOpen);
        }
        Assert.Equal(101, pool.Opens);
    }

    [Fact]
    public void A_renamed_file_reopens_under_its_new_name_and_a_disposed_one_refuses_use()
    {
        using var dir = new TempDirectory();
        var pool = new SegmentFilePool(1);
        var file = CreateFiles(dir, pool, 1)[0];
        file.MoveTo(dir.Combine("0.log.deleted"));
        CreateFiles(dir, pool, 1);
        Assert.False(file.IsOpen);

        Assert.Equal(0, ReadInt(file));
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => file.Acquire());
        Assert.Equal(0, pool.OpenCount);
    }

    [Fact]
    public void Fetch_regions_read_the_right_bytes_while_other_readers_force_evictions()
    {
        using var dir = new TempDirectory();
        var pool = new SegmentFilePool(2);
        var context = new LogContext { Files = pool, Schedule = (_, work) => work() };
        var config = new LogConfig { SegmentBytes = 1024 * 1024, FileDeleteDelayMs = 0 };
        var logs = Enumerable.Range(0, 12)
            .Select(i => PartitionLog.Open(dir.Combine($"t-{i}"), config, default, context))
            .ToArray();
        var expected = new byte[logs.Length][];
        for (var i = 0; i < logs.Length; i++)
        {
            for (var b = 0; b < 20; b++)
                logs[i].Append(TestBatches.Create(records: 3, timestamp: 1_000 + b, valueSize: 40 + i), 0);
            expected[i] = logs[i].Read(0, int.MaxValue).Records.ToArray();
            Assert.Equal(20, TestBatches.Headers(expected[i]).Count);
        }
        Assert.True(pool.OpenCount <= 2);

        Parallel.For(0, 8, worker =>
        {
            for (var round = 0; round < 300; round++)
            {
                var i = (worker * 7 + round) % logs.Length;
                var region = logs[i].Read(0, int.MaxValue).Records;
                // Other workers open other segments before this one copies its region.
                Thread.Yield();
                Assert.Equal(expected[i], region.ToArray());
            }
        });

        Assert.True(pool.Evictions > 0);
        foreach (var log in logs)
            log.Close();
        Assert.Equal(0, pool.OpenCount);
    }

    [Fact]
    public void Logs_closed_with_more_segments_than_the_pool_holds_reopen_with_every_record()
    {
        using var dir = new TempDirectory();
        var pool = new SegmentFilePool(3);
        var context = new LogContext { Files = pool, Schedule = (_, work) => work() };
        var config = new LogConfig { SegmentBytes = 1024, FileDeleteDelayMs = 0 };
        var log = PartitionLog.Open(dir.Combine("t-0"), config, default, context);
        for (var b = 0; b < 100; b++)
            log.Append(TestBatches.Create(records: 2, timestamp: 1_000 + b, valueSize: 50), 0);
        Assert.True(log.Segments.Count > 10);
        Assert.True(pool.OpenCount <= 3);
        var end = log.LogEndOffset;
        log.Close();

        var reopened = PartitionLog.Open(dir.Combine("t-0"), config, new LogCheckpoint(0, 0, 0, CleanShutdown: false), context);
        Assert.Equal(end, reopened.LogEndOffset);
        var offsets = new List<long>();
        for (var next = 0L; next < end;)
        {
            var headers = TestBatches.Headers(reopened.Read(next, int.MaxValue).Records.ToArray());
            offsets.AddRange(headers.Select(h => h.BaseOffset));
            next = headers[^1].LastOffset + 1;
        }
        Assert.Equal(Enumerable.Range(0, 100).Select(b => 2L * b), offsets);
        Assert.True(pool.OpenCount <= 3);
        reopened.Close();
    }
}
