using System.Buffers.Binary;

namespace Broker.Log;

/// <summary>One <c>.timeindex</c> entry: up to offset base + <see cref="RelativeOffset"/>, no timestamp exceeds <see cref="Timestamp"/>.</summary>
internal readonly record struct TimeIndexEntry(long Timestamp, int RelativeOffset);

/// <summary>
/// The <c>.timeindex</c> file: timestamp (i64 BE) and relative offset (u32 BE). An entry is added
/// at each offset index entry when the segment's maximum timestamp has grown, and once more when
/// the segment becomes inactive, so its last entry is the segment's maximum timestamp.
/// </summary>
internal sealed class TimeIndex : IndexFile<TimeIndexEntry>
{
    public const int Size = 12;

    public TimeIndex(string path, long baseOffset, int maxIndexBytes) : base(path, baseOffset, maxIndexBytes, Size) { }

    public (long Timestamp, long Offset)? Last => LastEntry is { } last ? (last.Timestamp, BaseOffset + last.RelativeOffset) : null;

    /// <param name="final">The segment is becoming inactive: record its maximum even if the index is full.</param>
    public void MaybeAppend(long timestamp, long offset, bool final = false)
    {
        if (timestamp < 0 || offset < BaseOffset)
            return;
        var entries = Entries;
        if (!entries.IsEmpty && (timestamp <= entries[^1].Timestamp || offset - BaseOffset < entries[^1].RelativeOffset))
            return;
        Add(new TimeIndexEntry(timestamp, checked((int)(offset - BaseOffset))), allowOverflow: final);
    }

    /// <summary>
    /// The offset to start searching from for the first timestamp at or after <paramref name="timestamp"/>:
    /// every batch before it has smaller timestamps.
    /// </summary>
    public long Lookup(long timestamp)
    {
        var entries = Entries;
        var i = IndexSearch.Floor(entries, timestamp, static e => e.Timestamp);
        return i < 0 ? BaseOffset : BaseOffset + entries[i].RelativeOffset;
    }

    /// <summary>Drops entries pointing at <paramref name="offset"/> or later.</summary>
    public void TruncateToOffset(long offset)
    {
        var entries = Entries;
        TruncateToCount(IndexSearch.Floor(entries, offset - BaseOffset - 1, static e => e.RelativeOffset) + 1);
    }

    protected override void Encode(in TimeIndexEntry entry, Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, entry.Timestamp);
        BinaryPrimitives.WriteInt32BigEndian(destination[8..], entry.RelativeOffset);
    }

    protected override TimeIndexEntry Decode(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadInt64BigEndian(source), BinaryPrimitives.ReadInt32BigEndian(source[8..]));

    protected override bool IsValid(in TimeIndexEntry entry) => entry.Timestamp >= 0 && entry.RelativeOffset >= 0;

    protected override bool IsOrdered(in TimeIndexEntry previous, in TimeIndexEntry next) =>
        next.Timestamp > previous.Timestamp && next.RelativeOffset >= previous.RelativeOffset;
}
