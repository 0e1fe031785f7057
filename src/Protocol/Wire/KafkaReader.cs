using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Broker.Protocol.Wire;

/// <summary>
/// Cursor over one Kafka message held in memory. Every read checks bounds first, so a hostile
/// length can neither read past the frame nor make us allocate more than the frame holds.
/// <c>records</c> fields come back as slices of the original memory, never copied.
/// </summary>
public ref struct KafkaReader
{
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly ReadOnlySpan<byte> _span;
    private int _position;

    public KafkaReader(ReadOnlyMemory<byte> memory)
    {
        _memory = memory;
        _span = memory.Span;
        _position = 0;
    }

    public readonly int Position => _position;
    public readonly int Remaining => _span.Length - _position;
    public readonly bool End => _position >= _span.Length;

    private ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)(_span.Length - _position))
            ThrowTruncated(count);
        var slice = _span.Slice(_position, count);
        _position += count;
        return slice;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void ThrowTruncated(int wanted) =>
        throw new MalformedMessageException($"Message truncated: needed {wanted} bytes at position {_position}, {Remaining} left.");

    public bool ReadBool() => Take(1)[0] != 0;
    public sbyte ReadInt8() => (sbyte)Take(1)[0];
    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));
    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));
    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));
    public double ReadFloat64() => BinaryPrimitives.ReadDoubleBigEndian(Take(8));
    public Uuid ReadUuid() => Uuid.Read(Take(16));

    public int ReadUnsignedVarint()
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = Take(1)[0];
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return (int)value;
        }
        throw new MalformedMessageException($"Unsigned varint longer than 5 bytes at position {_position}.");
    }

    public int ReadVarint()
    {
        var raw = (uint)ReadUnsignedVarint();
        return (int)(raw >> 1) ^ -(int)(raw & 1);
    }

    public long ReadVarlong()
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = Take(1)[0];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return (long)(value >> 1) ^ -(long)(value & 1);
        }
        throw new MalformedMessageException($"Varlong longer than 10 bytes at position {_position}.");
    }

    /// <summary>Length prefix of a string/bytes/array: -1 means null; compact forms store length+1.</summary>
    private int ReadLength(bool compact, bool wide)
    {
        int length = compact ? ReadUnsignedVarint() - 1 : wide ? ReadInt32() : ReadInt16();
        if (length < -1)
            throw new MalformedMessageException($"Negative length {length} at position {_position}.");
        return length;
    }

    private void RejectNull(string what)
    {
        throw new MalformedMessageException($"Null {what} where the field is not nullable, at position {_position}.");
    }

    public string? ReadString(bool compact, bool nullable)
    {
        var length = ReadLength(compact, wide: false);
        if (length < 0)
        {
            if (!nullable) RejectNull("string");
            return null;
        }
        return length == 0 ? string.Empty : Encoding.UTF8.GetString(Take(length));
    }

    public byte[]? ReadBytes(bool compact, bool nullable)
    {
        var length = ReadLength(compact, wide: true);
        if (length < 0)
        {
            if (!nullable) RejectNull("bytes");
            return null;
        }
        return length == 0 ? [] : Take(length).ToArray();
    }

    /// <summary>Record batches stay raw: a slice of the request memory, decoded only if needed.</summary>
    public ReadOnlyMemory<byte>? ReadRecords(bool compact, bool nullable)
    {
        var length = ReadLength(compact, wide: true);
        if (length < 0)
        {
            if (!nullable) RejectNull("records");
            return null;
        }
        var start = _position;
        Take(length);
        return _memory.Slice(start, length);
    }

    /// <summary>
    /// Element count of an array, or -1 for null. Every element takes at least one byte on the wire,
    /// so a count above the bytes left is a lie and is refused before anything is allocated.
    /// </summary>
    public int ReadArrayLength(bool compact, bool nullable)
    {
        var count = ReadLength(compact, wide: true);
        if (count < 0)
        {
            if (!nullable) RejectNull("array");
            return -1;
        }
        if (count > Remaining)
            throw new MalformedMessageException($"Array of {count} elements cannot fit in the {Remaining} bytes left.");
        return count;
    }

    /// <summary>Marker byte of a nullable struct: -1 null, 1 present.</summary>
    public bool ReadStructPresent() => ReadInt8() >= 0;

    public byte[] ReadRawBytes(int count) => Take(count).ToArray();

    /// <summary>A reader confined to the next <paramref name="count"/> bytes; this one skips them.</summary>
    public KafkaReader ReadSubReader(int count)
    {
        var start = _position;
        Take(count);
        return new KafkaReader(_memory.Slice(start, count));
    }

    /// <summary>The rest of the buffer, for bodies that follow a header.</summary>
    public readonly ReadOnlyMemory<byte> RemainingMemory => _memory[_position..];

    public readonly void EnsureEnd(string what)
    {
        if (_position != _span.Length)
            throw new MalformedMessageException($"{what}: {_span.Length - _position} unread bytes left over.");
    }
}
