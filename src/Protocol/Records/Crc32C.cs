using System.Buffers.Binary;
using System.Numerics;

namespace Broker.Protocol.Records;

/// <summary>CRC32C (Castagnoli), the checksum of record batches and of Kafka's producer state snapshots.</summary>
public static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> bytes)
    {
        uint crc = ~0u;
        // Eight bytes at a time: BitOperations.Crc32C maps to the SSE4.2 / ARMv8 CRC instructions.
        while (bytes.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(bytes));
            bytes = bytes[8..];
        }
        foreach (var b in bytes)
            crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }
}
