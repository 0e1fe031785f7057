using System.Buffers.Binary;

namespace Broker.Log;

/// <summary>One <c>.index</c> entry: the batch at <see cref="Position"/> ends at offset base + <see cref="RelativeOffset"/>.</summary>
internal readonly record struct OffsetIndexEntry(int RelativeOffset, int Position);

/// <summary>
/// The <c>.index</c> file: relative offset (u32 BE) and file position (u32 BE), one entry per
/// <c>index.interval.bytes</c> of log. Each entry names a batch's last offset and the position
/// where that batch starts, so a lookup lands on a batch that holds the target or precedes it.
/// </summary>
internal sealed class OffsetIndex : IndexFile<OffsetIndexEntry>
{
    public const int Size = 8;

    public OffsetIndex(string path, long baseOffset, int maxIndexBytes) : base(path, baseOffset, maxIndexBytes, Size) { }

    public OffsetIndexEntry? Last => LastEntry;

    /// <summary>Where to start scanning for <paramref name="targetOffset"/>: the furthest indexed batch not past it.</summary>
    public (long Offset, int Position) Lookup(long targetOffset)
    {
        var entries = Entries;
        var i = IndexSearch.Floor(entries, targetOffset - BaseOffset, static e => e.RelativeOffset);
        return i < 0 ? (BaseOffset, 0) : (BaseOffset + entries[i].RelativeOffset, entries[i].Position);
    }

    /// <summary>The furthest indexed batch start at or before <paramref name="position"/>, else 0.</summary>
    public int FloorPosition(int position)
    {
        var entries = Entries;
        var i = IndexSearch.Floor(entries, position, static e => e.Position);
        return i < 0 ? 0 : entries[i].Position;
    }

    public bool Append(long offset, int position) => Add(new OffsetIndexEntry(checked((int)(offset - BaseOffset)), position));

    /// <summary>Drops entries for batches at or after <paramref name="position"/>.</summary>
    public void TruncateToPosition(int position)
    {
        var entries = Entries;
        TruncateToCount(IndexSearch.Floor(entries, position - 1L, static e => e.Position) + 1);
    }

    protected override void Encode(in OffsetIndexEntry entry, Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, entry.RelativeOffset);
        BinaryPrimitives.WriteInt32BigEndian(destination[4..], entry.Position);
    }

    protected override OffsetIndexEntry Decode(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadInt32BigEndian(source), BinaryPrimitives.ReadInt32BigEndian(source[4..]));

    // Position 0 never gets an entry (nothing precedes the first batch), so an all-zero entry is filler.
    protected override bool IsValid(in OffsetIndexEntry entry) => entry.RelativeOffset >= 0 && entry.Position > 0;

    protected override bool IsOrdered(in OffsetIndexEntry previous, in OffsetIndexEntry next) =>
        next.RelativeOffset > previous.RelativeOffset && next.Position > previous.Position;
}
