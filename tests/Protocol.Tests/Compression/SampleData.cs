using System.Text;

namespace Broker.Protocol.Tests.Compression;

/// <summary>Deterministic inputs: record-like JSON text (compressible) and random bytes (not).</summary>
internal static class SampleData
{
    private static readonly string[] Words = ["order", "user", "click", "view", "cart", "checkout", "sku", "price", "eu-west-1", "mobile"];

    public static byte[] Random(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static byte[] JsonLines(int size, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder(size + 256);
        for (long id = 1_700_000_000_000; text.Length < size; id += random.Next(1, 500))
        {
            text.Append("{\"ts\":").Append(id)
                .Append(",\"event\":\"").Append(Words[random.Next(Words.Length)])
                .Append("\",\"user\":").Append(random.Next(100_000))
                .Append(",\"region\":\"").Append(Words[random.Next(Words.Length)])
                .Append("\",\"amount\":").Append(random.Next(1, 100_000) / 100.0)
                .Append("}\n");
        }
        return Encoding.ASCII.GetBytes(text.ToString(0, size));
    }
}
