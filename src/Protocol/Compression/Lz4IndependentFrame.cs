using System.Buffers;
using System.Buffers.Binary;
using Broker.Protocol.Records;
using K4os.Compression.LZ4;

namespace Broker.Protocol.Compression;

/// <summary>
/// Decodes an LZ4 frame of independent blocks (what Kafka's Java producer and librdkafka write)
/// straight into the caller's buffer, one block per call into K4os's block decoder: no intermediate
/// block buffer, no stream. Frames with linked blocks or a dictionary are left to the general reader.
/// </summary>
internal static class Lz4IndependentFrame
{
    private const uint Magic = 0x184D2204;
    private const int VersionMask = 0b1100_0000;
    private const int Version1 = 0b0100_0000;
    private const int BlockIndependence = 1 << 5;
    private const int BlockChecksum = 1 << 4;
    private const int ContentSize = 1 << 3;
    private const int ContentChecksum = 1 << 2;
    private const int DictionaryId = 1 << 0;
    private const uint UncompressedBlock = 0x8000_0000;

    /// <summary>Whether the frame's descriptor says its blocks decode on their own.</summary>
    public static bool Applies(ReadOnlySpan<byte> src) =>
        src.Length >= 7 && BinaryPrimitives.ReadUInt32LittleEndian(src) == Magic
        && (src[4] & VersionMask) == Version1 && (src[4] & BlockIndependence) != 0 && (src[4] & DictionaryId) == 0;

    public static void Decode(ReadOnlySpan<byte> src, IBufferWriter<byte> dst, ref DecompressionBudget budget)
    {
        int flags = src[4];
        int blockMax = (src[5] >> 4 & 0b111) switch
        {
            4 => 64 * 1024,
            5 => 256 * 1024,
            6 => 1024 * 1024,
            7 => 4 * 1024 * 1024,
            var id => throw new CorruptRecordException($"lz4 frame names block size id {id}, which does not exist."),
        };
        // Magic, FLG, BD, the optional content size, then the header checksum: the batch CRC already
        // guards these bytes, so like Kafka's Java reader we do not recompute it.
        int position = 6 + ((flags & ContentSize) != 0 ? 8 : 0) + 1;
        int blockTrailer = (flags & BlockChecksum) != 0 ? 4 : 0;
        while (true)
        {
            if (src.Length - position < 4)
                throw new CorruptRecordException("lz4 frame is truncated.");
            uint word = BinaryPrimitives.ReadUInt32LittleEndian(src[position..]);
            position += 4;
            if (word == 0)
                break;
            int length = (int)(word & ~UncompressedBlock);
            if (length > blockMax || length > src.Length - position - blockTrailer)
                throw new CorruptRecordException($"lz4 block of {length} bytes does not fit the frame (at most {blockMax}, {src.Length - position - blockTrailer} left).");
            var block = src.Slice(position, length);
            if ((word & UncompressedBlock) != 0)
                CopyStored(block, dst, ref budget);
            else
                DecodeBlock(block, blockMax, dst, ref budget);
            position += length + blockTrailer;
        }
        position += (flags & ContentChecksum) != 0 ? 4 : 0;
        if (position != src.Length)
            throw new CorruptRecordException(position > src.Length
                ? "lz4 frame is truncated."
                : $"lz4 frame ends {src.Length - position} bytes before the data does.");
    }

    private static void CopyStored(ReadOnlySpan<byte> block, IBufferWriter<byte> dst, ref DecompressionBudget budget)
    {
        while (!block.IsEmpty)
        {
            var window = budget.NextWindow(dst);
            int n = Math.Min(window.Length, block.Length);
            block[..n].CopyTo(window);
            budget.Commit(dst, n);
            block = block[n..];
        }
    }

    private static void DecodeBlock(ReadOnlySpan<byte> block, int blockMax, IBufferWriter<byte> dst, ref DecompressionBudget budget)
    {
        var window = budget.Window(dst, blockMax);
        if (window.Length >= blockMax)
        {
            int n = LZ4Codec.Decode(block, window);
            if (n < 0)
                throw new CorruptRecordException("lz4 block is corrupt.");
            budget.Commit(dst, n);
            return;
        }
        // Less room left than a block may hold: decode aside, so a block that would overrun the
        // budget is told apart from a corrupt one. Only the frame's last blocks can get here.
        var scratch = ArrayPool<byte>.Shared.Rent(blockMax);
        try
        {
            int n = LZ4Codec.Decode(block, scratch.AsSpan(0, blockMax));
            if (n < 0)
                throw new CorruptRecordException("lz4 block is corrupt.");
            CopyStored(scratch.AsSpan(0, n), dst, ref budget);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }
}
