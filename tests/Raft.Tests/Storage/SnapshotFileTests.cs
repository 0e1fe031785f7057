using Broker.Protocol.Records;
using Broker.Raft.Core;
using Broker.Raft.Storage;

namespace Broker.Raft.Tests.Storage;

public class SnapshotFileTests
{
    [Fact]
    public void Names_follow_kafkas_offset_and_epoch_padding()
    {
        Assert.Equal("00000000000000001234-0000000007.checkpoint", SnapshotFile.FileName(new SnapshotId(1234, 7)));
        Assert.Equal(new SnapshotId(1234, 7), SnapshotFile.ParseFileName("00000000000000001234-0000000007.checkpoint"));
        Assert.Null(SnapshotFile.ParseFileName("00000000000000001234-0000000007.checkpoint.part"));
        Assert.Null(SnapshotFile.ParseFileName("quorum-state"));
    }

    [Fact]
    public void Records_are_framed_by_snapshot_header_and_footer_control_batches()
    {
        var records = Enumerable.Range(0, 5).Select(i => new[] { (byte)i, (byte)(i * 2) }).ToList();
        var bytes = SnapshotFile.Build(records, lastContainedLogTimestamp: 1234, epoch: 3, recordsPerBatch: 2);

        var kinds = new List<string>();
        foreach (var bounds in new RecordBatchWalker(bytes))
        {
            var span = bytes.AsSpan(bounds.Position, bounds.Length);
            var header = new RecordBatchHeader(span);
            foreach (var record in new RecordIterator(span))
                kinds.Add(header.IsControl ? ControlRecord.ReadType(record).ToString() : $"data@{record.Offset}");
        }
        Assert.Equal(["SnapshotHeader", "data@1", "data@2", "data@3", "data@4", "data@5", "SnapshotFooter"], kinds);
        Assert.Equal(records, SnapshotFile.ReadRecords(bytes));
    }

    [Fact]
    public void A_snapshot_without_its_footer_is_rejected()
    {
        var bytes = SnapshotFile.Build([[1]], 0, 1);
        var header = new RecordBatchHeader(bytes);
        var withoutFooter = bytes.AsSpan(0, bytes.Length).ToArray()[..FooterStart(bytes)];
        Assert.Throws<InvalidDataException>(() => SnapshotFile.ReadRecords(withoutFooter));
        Assert.True(header.IsControl);
    }

    private static int FooterStart(byte[] bytes)
    {
        var last = 0;
        foreach (var bounds in new RecordBatchWalker(bytes)) last = bounds.Position;
        return last;
    }

    [Fact]
    public void Written_atomically_and_listed_in_order_leftover_parts_removed()
    {
        using var dir = new TempDir();
        SnapshotFile.Write(dir.Path, new SnapshotId(20, 2), [1, 2]);
        SnapshotFile.Write(dir.Path, new SnapshotId(10, 1), [3]);
        File.WriteAllBytes(Path.Combine(dir.Path, SnapshotFile.FileName(new SnapshotId(30, 2)) + ".part"), [9]);
        Assert.Equal([new SnapshotId(10, 1), new SnapshotId(20, 2)], SnapshotFile.List(dir.Path));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.part"));
        Assert.Equal([1, 2], SnapshotFile.Read(dir.Path, new SnapshotId(20, 2)));
    }
}
