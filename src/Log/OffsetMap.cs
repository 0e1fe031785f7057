using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Broker.Log;

/// <summary>
/// The cleaner's key → latest offset map, Kafka's <c>SkimpyOffsetMap</c> idea: a fixed block of
/// memory (<c>log.cleaner.dedupe.buffer.size</c>) of open-addressed slots holding a 16-byte MD5 of
/// the key and the offset, so memory does not grow with key sizes and no record allocates.
/// </summary>
public sealed class OffsetMap
{
    private const int HashSize = 16;
    private const int SlotSize = HashSize + sizeof(long);
    /// <summary>Kafka's <c>log.cleaner.io.buffer.load.factor</c>: probing gets slow past it.</summary>
    private const double LoadFactor = 0.9;

    private readonly byte[] _slots;
    private readonly int _slotCount;

    public OffsetMap(int memoryBytes)
    {
        _slotCount = Math.Max(memoryBytes / SlotSize, 16);
        _slots = new byte[_slotCount * SlotSize];
        Capacity = (int)(_slotCount * LoadFactor);
    }

    /// <summary>Keys the map holds before it counts as full.</summary>
    public int Capacity { get; }
    public int Count { get; private set; }
    public bool IsFull => Count >= Capacity;
    /// <summary>The largest offset put since the last clear, or -1.</summary>
    public long LatestOffset { get; private set; } = -1;

    public void Clear()
    {
        Array.Clear(_slots);
        Count = 0;
        LatestOffset = -1;
    }

    /// <summary>Records <paramref name="offset"/> as the latest for <paramref name="key"/>.</summary>
    public void Put(ReadOnlySpan<byte> key, long offset)
    {
        Span<byte> hash = stackalloc byte[HashSize];
        var slot = Find(key, hash);
        var bytes = _slots.AsSpan(slot * SlotSize, SlotSize);
        // Offsets are stored plus one so that an all-zero slot means empty.
        if (BinaryPrimitives.ReadInt64BigEndian(bytes[HashSize..]) == 0)
        {
            if (IsFull)
                throw new InvalidOperationException("The offset map is full.");
            hash.CopyTo(bytes);
            Count++;
        }
        BinaryPrimitives.WriteInt64BigEndian(bytes[HashSize..], offset + 1);
        LatestOffset = Math.Max(LatestOffset, offset);
    }

    /// <summary>The latest offset put for <paramref name="key"/>, or -1.</summary>
    public long Get(ReadOnlySpan<byte> key)
    {
        Span<byte> hash = stackalloc byte[HashSize];
        var slot = Find(key, hash);
        return BinaryPrimitives.ReadInt64BigEndian(_slots.AsSpan(slot * SlotSize + HashSize)) - 1;
    }

    /// <summary>The slot holding the key's hash, or the empty slot where it would go (linear probing).</summary>
    private int Find(ReadOnlySpan<byte> key, Span<byte> hash)
    {
        MD5.HashData(key, hash);
        var slot = (int)(BinaryPrimitives.ReadUInt32LittleEndian(hash) % (uint)_slotCount);
        while (true)
        {
            var bytes = _slots.AsSpan(slot * SlotSize, SlotSize);
            if (BinaryPrimitives.ReadInt64BigEndian(bytes[HashSize..]) == 0 || bytes[..HashSize].SequenceEqual(hash))
                return slot;
            slot = slot + 1 == _slotCount ? 0 : slot + 1;
        }
    }
}
