using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Broker.Protocol.Records;

namespace Broker.Protocol.Wire;

/// <summary>
/// Writes Kafka primitive types, big-endian, into any <see cref="IBufferWriter{T}"/>.
/// Generated message code calls these; there is no reflection anywhere on the write path.
/// </summary>
public sealed class KafkaWriter
{
    private readonly IBufferWriter<byte> _output;

    public KafkaWriter(IBufferWriter<byte> output) => _output = output;

    public IBufferWriter<byte> Output => _output;

    public void WriteBool(bool value) => WriteInt8(value ? (sbyte)1 : (sbyte)0);

    public void WriteInt8(sbyte value)
    {
        _output.GetSpan(1)[0] = (byte)value;
        _output.Advance(1);
    }

    public void WriteInt16(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(_output.GetSpan(2), value);
        _output.Advance(2);
    }

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_output.GetSpan(2), value);
        _output.Advance(2);
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_output.GetSpan(4), value);
        _output.Advance(4);
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_output.GetSpan(4), value);
        _output.Advance(4);
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(_output.GetSpan(8), value);
        _output.Advance(8);
    }

    public void WriteFloat64(double value)
    {
        BinaryPrimitives.WriteDoubleBigEndian(_output.GetSpan(8), value);
        _output.Advance(8);
    }

    public void WriteUuid(Uuid value)
    {
        value.Write(_output.GetSpan(16));
        _output.Advance(16);
    }

    public void WriteUnsignedVarint(int value)
    {
        var span = _output.GetSpan(5);
        var v = (uint)value;
        var i = 0;
        while (v >= 0x80)
        {
            span[i++] = (byte)(v | 0x80);
            v >>= 7;
        }
        span[i++] = (byte)v;
        _output.Advance(i);
    }

    public void WriteVarint(int value) => WriteUnsignedVarint((value << 1) ^ (value >> 31));

    public void WriteVarlong(long value)
    {
        var span = _output.GetSpan(10);
        var v = (ulong)((value << 1) ^ (value >> 63));
        var i = 0;
        while (v >= 0x80)
        {
            span[i++] = (byte)(v | 0x80);
            v >>= 7;
        }
        span[i++] = (byte)v;
        _output.Advance(i);
    }

    /// <summary>Length prefix: -1 for null; compact forms store length+1 as an unsigned varint.</summary>
    private void WriteLength(int length, bool compact, bool wide)
    {
        if (compact) WriteUnsignedVarint(length + 1);
        else if (wide) WriteInt32(length);
        else
        {
            if (length > short.MaxValue)
                throw new ProtocolException($"String of {length} bytes does not fit a non-compact string.");
            WriteInt16((short)length);
        }
    }

    public void WriteString(string? value, bool compact, bool nullable)
    {
        if (value is null)
        {
            RequireNullable(nullable, "string");
            WriteLength(-1, compact, wide: false);
            return;
        }
        var byteCount = Encoding.UTF8.GetByteCount(value);
        WriteLength(byteCount, compact, wide: false);
        if (byteCount == 0)
            return;
        Encoding.UTF8.GetBytes(value, _output.GetSpan(byteCount));
        _output.Advance(byteCount);
    }

    public void WriteBytes(ReadOnlySpan<byte> value, bool compact)
    {
        WriteLength(value.Length, compact, wide: true);
        WriteRaw(value);
    }

    public void WriteBytes(byte[]? value, bool compact, bool nullable)
    {
        if (value is null)
        {
            RequireNullable(nullable, "bytes");
            WriteLength(-1, compact, wide: true);
            return;
        }
        WriteBytes(value.AsSpan(), compact);
    }

    public void WriteRecords(ReadOnlyMemory<byte>? value, bool compact, bool nullable)
    {
        if (value is null)
        {
            RequireNullable(nullable, "records");
            WriteLength(-1, compact, wide: true);
            return;
        }
        if (MemoryMarshal.TryGetMemoryManager(value.Value, out DeferredRecords? deferred, out var start, out var length))
        {
            // Straight from where the records live into the output: their one copy.
            WriteLength(length, compact, wide: true);
            deferred.CopyTo(start, _output.GetSpan(length)[..length]);
            _output.Advance(length);
            return;
        }
        WriteBytes(value.Value.Span, compact);
    }

    public void WriteArrayLength(int count, bool compact) => WriteLength(count, compact, wide: true);

    public void WriteNullArray(bool compact, bool nullable)
    {
        RequireNullable(nullable, "array");
        WriteLength(-1, compact, wide: true);
    }

    public void WriteStructPresent(bool present) => WriteInt8(present ? (sbyte)1 : (sbyte)-1);

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
            return;
        bytes.CopyTo(_output.GetSpan(bytes.Length));
        _output.Advance(bytes.Length);
    }

    public void WriteRawTaggedField(RawTaggedField field)
    {
        WriteUnsignedVarint(field.Tag);
        WriteUnsignedVarint(field.Data.Length);
        WriteRaw(field.Data);
    }

    /// <summary>Writes a known tagged field encoded aside first, since its size prefix comes before it.</summary>
    public void WriteTaggedBuffer(int tag, PooledBufferWriter encoded)
    {
        WriteUnsignedVarint(tag);
        WriteUnsignedVarint(encoded.WrittenCount);
        WriteRaw(encoded.WrittenSpan);
    }

    private static void RequireNullable(bool nullable, string what)
    {
        if (!nullable)
            throw new ProtocolException($"Null {what} given for a field that is not nullable at this version.");
    }
}
