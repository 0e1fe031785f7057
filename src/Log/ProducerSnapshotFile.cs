using System.Buffers.Binary;
using Broker.Protocol.Records;

namespace Broker.Log;

/// <summary>
/// Kafka's producer state snapshot, <c>&lt;20-digit offset&gt;.snapshot</c>: the producer state as
/// of that offset (every batch below it applied). Layout, big-endian: version int16 (1), CRC32C
/// uint32 over everything after it, entry count int32, then per entry producer id int64, epoch
/// int16, last sequence int32, last offset int64, offset delta int32, timestamp int64,
/// coordinator epoch int32, current transaction first offset int64.
/// A producer's retained batches are written as consecutive entries, oldest first: Kafka keeps
/// the last entry per producer id, this log keeps them all, so retries survive a restart.
/// </summary>
public static class ProducerSnapshotFile
{
    public const short Version = 1;
    private const int CrcOffset = 2;
    private const int EntriesOffset = CrcOffset + 4;
    private const int EntrySize = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;

    public static string PathFor(string directory, long offset) => LogFileNames.SegmentFile(directory, offset, LogFileNames.SnapshotSuffix);

    /// <summary>Offsets of the snapshots in <paramref name="directory"/>, ascending.</summary>
    public static List<long> List(string directory) =>
        System.IO.Directory.EnumerateFiles(directory, "*" + LogFileNames.SnapshotSuffix)
            .Select(p => LogFileNames.TryParseSegmentFile(Path.GetFileName(p), LogFileNames.SnapshotSuffix, out var o) ? o : -1)
            .Where(o => o >= 0)
            .Order()
            .ToList();

    public static byte[] Serialize(IEnumerable<ProducerStateEntry> producers)
    {
        var rows = new List<(ProducerStateEntry Entry, ProducerBatch? Batch)>();
        foreach (var entry in producers)
        {
            if (entry.BatchCount == 0)
                rows.Add((entry, null));
            foreach (var batch in entry.Batches)
                rows.Add((entry, batch));
        }
        var bytes = new byte[EntriesOffset + 4 + rows.Count * EntrySize];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteInt16BigEndian(span, Version);
        BinaryPrimitives.WriteInt32BigEndian(span[EntriesOffset..], rows.Count);
        var at = EntriesOffset + 4;
        foreach (var (entry, batch) in rows)
        {
            var e = span[at..];
            BinaryPrimitives.WriteInt64BigEndian(e, entry.ProducerId);
            BinaryPrimitives.WriteInt16BigEndian(e[8..], entry.Epoch);
            BinaryPrimitives.WriteInt32BigEndian(e[10..], batch?.LastSequence ?? RecordBatchLayout.NoSequence);
            BinaryPrimitives.WriteInt64BigEndian(e[14..], batch?.LastOffset ?? -1);
            BinaryPrimitives.WriteInt32BigEndian(e[22..], batch?.OffsetDelta ?? 0);
            BinaryPrimitives.WriteInt64BigEndian(e[26..], batch?.Timestamp ?? RecordBatchLayout.NoTimestamp);
            BinaryPrimitives.WriteInt32BigEndian(e[34..], entry.CoordinatorEpoch);
            BinaryPrimitives.WriteInt64BigEndian(e[38..], entry.CurrentTxnFirstOffset);
            at += EntrySize;
        }
        BinaryPrimitives.WriteUInt32BigEndian(span[CrcOffset..], Crc32C.Compute(span[EntriesOffset..]));
        return bytes;
    }

    /// <exception cref="CorruptLogFileException">Wrong version, length or checksum.</exception>
    public static List<ProducerStateEntry> Deserialize(ReadOnlySpan<byte> bytes, string path)
    {
        if (bytes.Length < EntriesOffset + 4)
            throw new CorruptLogFileException(path, $"{bytes.Length} bytes is too short for a producer snapshot.");
        var version = BinaryPrimitives.ReadInt16BigEndian(bytes);
        if (version != Version)
            throw new CorruptLogFileException(path, $"unsupported producer snapshot version {version}.");
        var crc = BinaryPrimitives.ReadUInt32BigEndian(bytes[CrcOffset..]);
        if (crc != Crc32C.Compute(bytes[EntriesOffset..]))
            throw new CorruptLogFileException(path, "producer snapshot checksum mismatch.");
        var count = BinaryPrimitives.ReadInt32BigEndian(bytes[EntriesOffset..]);
        if (count < 0 || bytes.Length != EntriesOffset + 4 + (long)count * EntrySize)
            throw new CorruptLogFileException(path, $"{count} entries do not fit {bytes.Length} bytes.");
        var entries = new Dictionary<long, ProducerStateEntry>();
        for (var i = 0; i < count; i++)
        {
            var e = bytes[(EntriesOffset + 4 + i * EntrySize)..];
            var producerId = BinaryPrimitives.ReadInt64BigEndian(e);
            var epoch = BinaryPrimitives.ReadInt16BigEndian(e[8..]);
            var lastSequence = BinaryPrimitives.ReadInt32BigEndian(e[10..]);
            var lastOffset = BinaryPrimitives.ReadInt64BigEndian(e[14..]);
            var offsetDelta = BinaryPrimitives.ReadInt32BigEndian(e[22..]);
            var timestamp = BinaryPrimitives.ReadInt64BigEndian(e[26..]);
            if (!entries.TryGetValue(producerId, out var entry) || entry.Epoch != epoch)
                entries[producerId] = entry = new ProducerStateEntry(producerId, epoch)
                {
                    CoordinatorEpoch = BinaryPrimitives.ReadInt32BigEndian(e[34..]),
                    CurrentTxnFirstOffset = BinaryPrimitives.ReadInt64BigEndian(e[38..]),
                };
            if (lastOffset >= 0)
                entry.AddBatch(epoch, new ProducerBatch(lastSequence, lastOffset, offsetDelta, timestamp));
        }
        return [.. entries.Values];
    }

    /// <summary>Written to a temporary file and renamed, so a crash leaves the whole snapshot or none.</summary>
    public static void Write(string path, IEnumerable<ProducerStateEntry> producers)
    {
        var temp = path + LogFileNames.TempSuffix;
        using (var file = File.OpenHandle(temp, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(file, Serialize(producers), 0);
            RandomAccess.FlushToDisk(file);
        }
        File.Move(temp, path, overwrite: true);
    }

    public static List<ProducerStateEntry> Read(string path) => Deserialize(File.ReadAllBytes(path), path);
}
