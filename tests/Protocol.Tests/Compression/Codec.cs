using System.Buffers;
using Broker.Protocol.Compression;
using Broker.Protocol.Records;

namespace Broker.Protocol.Tests.Compression;

/// <summary>Array-in, array-out wrappers over <see cref="RecordCompression"/> for tests.</summary>
internal static class Codec
{
    public static readonly CompressionType[] All =
        [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

    public static byte[] Compress(CompressionType codec, ReadOnlySpan<byte> data, int? level = null)
    {
        var output = new ArrayBufferWriter<byte>();
        RecordCompression.Compress(codec, data, output, level);
        return output.WrittenSpan.ToArray();
    }

    public static byte[] Decompress(CompressionType codec, ReadOnlySpan<byte> data, int max = RecordCompression.DefaultMaxDecompressedSize)
    {
        var output = new ArrayBufferWriter<byte>();
        RecordCompression.Decompress(codec, data, output, max);
        return output.WrittenSpan.ToArray();
    }
}
