using System.Numerics;

namespace Broker.Protocol.Records;

/// <summary>
/// The zigzag varints records are made of (protobuf's encoding, which Kafka adopted for record v2).
/// Reads work on spans and raise <see cref="CorruptRecordException"/>: inside a batch a bad varint
/// means a bad batch, not a desynchronised connection.
/// </summary>
public static class Varint
{
    public const int MaxVarintSize = 5;
    public const int MaxVarlongSize = 10;

    public static int ReadVarint(ReadOnlySpan<byte> src, ref int position)
    {
        uint raw = (uint)ReadUnsigned(src, ref position, 32);
        return (int)(raw >> 1) ^ -(int)(raw & 1);
    }

    public static long ReadVarlong(ReadOnlySpan<byte> src, ref int position)
    {
        ulong raw = ReadUnsigned(src, ref position, 64);
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    /// <returns>The number of bytes written; <paramref name="dst"/> must hold <see cref="SizeOfVarint"/> bytes.</returns>
    public static int WriteVarint(Span<byte> dst, int value) => WriteUnsigned(dst, (uint)((value << 1) ^ (value >> 31)));

    /// <returns>The number of bytes written; <paramref name="dst"/> must hold <see cref="SizeOfVarlong"/> bytes.</returns>
    public static int WriteVarlong(Span<byte> dst, long value) => WriteUnsigned(dst, (ulong)((value << 1) ^ (value >> 63)));

    public static int SizeOfVarint(int value) => UnsignedSize((uint)((value << 1) ^ (value >> 31)));

    public static int SizeOfVarlong(long value) => UnsignedSize((ulong)((value << 1) ^ (value >> 63)));

    private static int UnsignedSize(ulong raw) => BitOperations.Log2(raw | 1) / 7 + 1;

    private static ulong ReadUnsigned(ReadOnlySpan<byte> src, ref int position, int bits)
    {
        ulong raw = 0;
        for (int shift = 0; shift < bits; shift += 7)
        {
            if ((uint)position >= (uint)src.Length)
                throw new CorruptRecordException($"Varint runs past the end of its {src.Length}-byte buffer.");
            byte b = src[position++];
            // The last byte may only carry the bits still missing (4 for 32, 1 for 64); more would be lost.
            if (bits - shift < 7 && (b & 0x7F) >> (bits - shift) != 0)
                throw new CorruptRecordException($"Varint overflows {bits} bits.");
            raw |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return raw;
        }
        throw new CorruptRecordException($"Varint is longer than {(bits + 6) / 7} bytes.");
    }

    private static int WriteUnsigned(Span<byte> dst, ulong raw)
    {
        int i = 0;
        while (raw >= 0x80)
        {
            dst[i++] = (byte)(raw | 0x80);
            raw >>= 7;
        }
        dst[i++] = (byte)raw;
        return i;
    }
}
