using System.Buffers;
using Broker.Protocol.Records;

namespace Broker.Protocol.Compression;

/// <summary>The codecs a record batch's attributes can name, behind one entry point.</summary>
public static class RecordCompression
{
    /// <summary>
    /// Default cap on one batch's decompressed records. Generous next to Kafka's 1 MiB default
    /// message size (compression ratios of 100x are real for repetitive logs), yet small enough
    /// that a hostile batch cannot take the process down.
    /// </summary>
    public const int DefaultMaxDecompressedSize = 256 * 1024 * 1024;

    /// <param name="level">Codec-specific level (Kafka's <c>compression.*.level</c>); null for the codec's default. Snappy has none.</param>
    public static void Compress(CompressionType codec, ReadOnlySpan<byte> src, IBufferWriter<byte> dst, int? level = null)
    {
        switch (codec)
        {
            case CompressionType.None:
                Copy(src, dst);
                break;
            case CompressionType.Gzip:
                GzipCodec.Compress(src, dst, level);
                break;
            case CompressionType.Snappy:
                SnappyCodec.Compress(src, dst);
                break;
            case CompressionType.Lz4:
                Lz4Codec.Compress(src, dst, level);
                break;
            case CompressionType.Zstd:
                ZstdCodec.Compress(src, dst, level);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(codec), codec, "Unknown compression codec.");
        }
    }

    /// <exception cref="CorruptRecordException">
    /// The data is not valid for the codec, the codec id is unknown, or the output would exceed
    /// <paramref name="maxDecompressedSize"/> bytes.
    /// </exception>
    public static void Decompress(CompressionType codec, ReadOnlySpan<byte> src, IBufferWriter<byte> dst, int maxDecompressedSize = DefaultMaxDecompressedSize)
    {
        switch (codec)
        {
            case CompressionType.None:
                if (src.Length > maxDecompressedSize)
                    throw new CorruptRecordException($"Uncompressed data of {src.Length} bytes exceeds the limit of {maxDecompressedSize} bytes.");
                Copy(src, dst);
                break;
            case CompressionType.Gzip:
                GzipCodec.Decompress(src, dst, maxDecompressedSize);
                break;
            case CompressionType.Snappy:
                SnappyCodec.Decompress(src, dst, maxDecompressedSize);
                break;
            case CompressionType.Lz4:
                Lz4Codec.Decompress(src, dst, maxDecompressedSize);
                break;
            case CompressionType.Zstd:
                ZstdCodec.Decompress(src, dst, maxDecompressedSize);
                break;
            default:
                // The codec id comes from the batch attributes, i.e. from the wire.
                throw new CorruptRecordException($"Unknown compression codec id {(int)codec}.");
        }
    }

    private static void Copy(ReadOnlySpan<byte> src, IBufferWriter<byte> dst)
    {
        src.CopyTo(dst.GetSpan(src.Length));
        dst.Advance(src.Length);
    }
}
