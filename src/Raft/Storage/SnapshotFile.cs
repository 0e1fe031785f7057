using System.Buffers;
using System.Globalization;
using Broker.Protocol.Messages;
using Broker.Protocol.Records;
using Broker.Protocol.Wire;
using Broker.Raft.Core;
using Broker.Raft.Kafka;

namespace Broker.Raft.Storage;

/// <summary>
/// KIP-630 snapshot files: <c>&lt;20-digit end offset&gt;-&lt;10-digit epoch&gt;.checkpoint</c> in the
/// partition directory, holding record batches (offsets from 0) framed by a SnapshotHeader and a
/// SnapshotFooter control batch. Written as <c>.checkpoint.part</c> and renamed when complete.
/// </summary>
public static class SnapshotFile
{
    public const string Suffix = ".checkpoint";
    private const string PartSuffix = ".part";
    public const short HeaderVersion = 0;
    public const short FooterVersion = 0;

    public static string FileName(SnapshotId id) =>
        id.EndOffset.ToString("D20", CultureInfo.InvariantCulture) + "-" + id.Epoch.ToString("D10", CultureInfo.InvariantCulture) + Suffix;

    public static SnapshotId? ParseFileName(string fileName)
    {
        if (!fileName.EndsWith(Suffix, StringComparison.Ordinal) || fileName.Length != 20 + 1 + 10 + Suffix.Length || fileName[20] != '-')
            return null;
        return long.TryParse(fileName.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
               && int.TryParse(fileName.AsSpan(21, 10), NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
            ? new SnapshotId(offset, epoch)
            : null;
    }

    /// <summary>The bytes of a snapshot file holding <paramref name="records"/> (opaque values), batched.</summary>
    public static byte[] Build(IEnumerable<byte[]> records, long lastContainedLogTimestamp, int epoch, int recordsPerBatch = 1000)
    {
        using var output = new PooledBufferWriter(1024);
        long offset = 0;
        RaftRecordCodec.WriteControlBatch(output, offset++, epoch, lastContainedLogTimestamp, ControlRecordType.SnapshotHeader,
            new SnapshotHeaderRecord { Version = HeaderVersion, LastContainedLogTimestamp = lastContainedLogTimestamp }, HeaderVersion);
        var batch = new List<byte[]>(recordsPerBatch);
        foreach (var record in records)
        {
            batch.Add(record);
            if (batch.Count == recordsPerBatch) offset = Flush(output, batch, offset, epoch, lastContainedLogTimestamp);
        }
        offset = Flush(output, batch, offset, epoch, lastContainedLogTimestamp);
        RaftRecordCodec.WriteControlBatch(output, offset, epoch, lastContainedLogTimestamp, ControlRecordType.SnapshotFooter,
            new SnapshotFooterRecord { Version = FooterVersion }, FooterVersion);
        return output.ToArray();
    }

    private static long Flush(IBufferWriter<byte> output, List<byte[]> batch, long offset, int epoch, long timestamp)
    {
        if (batch.Count == 0) return offset;
        RaftRecordCodec.Write(output, new RaftBatch(offset, epoch, RaftBatchKind.Data, batch.ToArray()), timestamp);
        offset += batch.Count;
        batch.Clear();
        return offset;
    }

    /// <summary>The data records of a snapshot file, checking the header/footer framing.</summary>
    public static List<byte[]> ReadRecords(ReadOnlyMemory<byte> bytes)
    {
        var records = new List<byte[]>();
        var sawHeader = false;
        var sawFooter = false;
        foreach (var bounds in new RecordBatchWalker(bytes.Span))
        {
            var span = bytes.Span.Slice(bounds.Position, bounds.Length);
            var header = new RecordBatchHeader(span);
            foreach (var record in new RecordIterator(span))
            {
                if (sawFooter) throw new InvalidDataException("snapshot has records after its footer");
                if (header.IsControl)
                {
                    var type = ControlRecord.ReadType(record);
                    if (type == ControlRecordType.SnapshotHeader) sawHeader = true;
                    else if (type == ControlRecordType.SnapshotFooter) sawFooter = true;
                    continue;
                }
                if (!sawHeader) throw new InvalidDataException("snapshot does not start with a SnapshotHeader");
                records.Add(record.Value.ToArray());
            }
        }
        if (!sawHeader || !sawFooter) throw new InvalidDataException("snapshot lacks its SnapshotHeader or SnapshotFooter");
        return records;
    }

    /// <summary>Writes the file atomically (part file, sync, rename).</summary>
    public static void Write(string directory, SnapshotId id, ReadOnlySpan<byte> bytes)
    {
        var path = Path.Combine(directory, FileName(id));
        var part = path + PartSuffix;
        using (var stream = new FileStream(part, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        File.Move(part, path, overwrite: true);
        QuorumStateFile.SyncDirectory(directory);
    }

    /// <summary>Snapshot ids present in <paramref name="directory"/>, oldest first; leftover part files are removed.</summary>
    public static List<SnapshotId> List(string directory)
    {
        foreach (var part in Directory.EnumerateFiles(directory, "*" + Suffix + PartSuffix))
            File.Delete(part);
        return Directory.EnumerateFiles(directory, "*" + Suffix)
            .Select(f => ParseFileName(Path.GetFileName(f)))
            .OfType<SnapshotId>()
            .OrderBy(id => id.EndOffset).ThenBy(id => id.Epoch)
            .ToList();
    }

    public static byte[] Read(string directory, SnapshotId id) => File.ReadAllBytes(Path.Combine(directory, FileName(id)));

    /// <summary>Deletes snapshots older than <paramref name="keep"/>.</summary>
    public static void DeleteOlderThan(string directory, SnapshotId keep)
    {
        foreach (var id in List(directory))
            if (id.EndOffset < keep.EndOffset)
                File.Delete(Path.Combine(directory, FileName(id)));
    }
}
