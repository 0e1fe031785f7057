using System.Text;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>
/// The key-to-partition functions the clients under test use, so a test can say where a keyed record
/// must land without trusting the broker: librdkafka's default <c>consistent_random</c> (CRC-32 of
/// the key) and the Java client's murmur2, which kafkajs's default partitioner and librdkafka's
/// <c>murmur2_random</c> reproduce.
/// </summary>
public static class Partitioners
{
    private static readonly uint[] Crc32Table = BuildCrc32Table();

    public static int Crc32(string key, int partitions) => (int)(Crc32(Encoding.UTF8.GetBytes(key)) % (uint)partitions);

    public static int Murmur2(string key, int partitions) => (Murmur2(Encoding.UTF8.GetBytes(key)) & 0x7fffffff) % partitions;

    /// <summary>CRC-32 as zlib computes it (reflected polynomial 0xEDB88320), which is librdkafka's rd_crc32.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
            crc = Crc32Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    /// <summary>Kafka's Utils.murmur2: 32-bit MurmurHash2 with seed 0x9747b28c.</summary>
    public static int Murmur2(ReadOnlySpan<byte> data)
    {
        const uint m = 0x5bd1e995;
        const int r = 24;
        unchecked
        {
            var h = 0x9747b28c ^ (uint)data.Length;
            var whole = data.Length & ~3;
            for (var i = 0; i < whole; i += 4)
            {
                var k = data[i] | (uint)data[i + 1] << 8 | (uint)data[i + 2] << 16 | (uint)data[i + 3] << 24;
                k *= m;
                k ^= k >> r;
                k *= m;
                h *= m;
                h ^= k;
            }
            var tail = data[whole..];
            if (tail.Length == 3)
                h ^= (uint)tail[2] << 16;
            if (tail.Length >= 2)
                h ^= (uint)tail[1] << 8;
            if (tail.Length >= 1)
            {
                h ^= tail[0];
                h *= m;
            }
            h ^= h >> 13;
            h *= m;
            h ^= h >> 15;
            return (int)h;
        }
    }

    private static uint[] BuildCrc32Table()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
