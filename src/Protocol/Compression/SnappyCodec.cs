using System.Buffers;
using System.Buffers.Binary;
using Broker.Protocol.Records;
using Snappier;

namespace Broker.Protocol.Compression;

/// <summary>
/// Kafka's snappy codec over Snappier (managed, so no native library to install). Java clients
/// frame snappy the way xerial's SnappyOutputStream does (a 16-byte header, then length-prefixed raw
/// blocks); librdkafka and others may send one raw snappy block. Both decode; we compress to the xerial framing because every client
/// reads it.
/// </summary>
public static class SnappyCodec
{
    /// <summary>xerial's stream magic: 0x82 "SNAPPY" 0x00.</summary>
    private static ReadOnlySpan<byte> XerialMagic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];
    private const int XerialHeaderSize = 16;
    private const int XerialVersion = 1;
    private const int XerialMinCompatibleVersion = 1;

    /// <summary>xerial's default block size, which is also what Kafka's Java producer uses.</summary>
    private const int BlockSize = 32 * 1024;

    public static void Compress(ReadOnlySpan<byte> src, IBufferWriter<byte> dst)
    {
        var header = dst.GetSpan(XerialHeaderSize);
        XerialMagic.CopyTo(header);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], XerialVersion);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], XerialMinCompatibleVersion);
        dst.Advance(XerialHeaderSize);

        while (!src.IsEmpty)
        {
            var block = src[..Math.Min(BlockSize, src.Length)];
            src = src[block.Length..];
            var target = dst.GetSpan(sizeof(int) + Snappy.GetMaxCompressedLength(block.Length));
            int written = Snappy.Compress(block, target[sizeof(int)..]);
            BinaryPrimitives.WriteInt32BigEndian(target, written);
            dst.Advance(sizeof(int) + written);
        }
    }

    public static void Decompress(ReadOnlySpan<byte> src, IBufferWriter<byte> dst, int maxDecompressedSize)
    {
        var budget = new DecompressionBudget(CompressionType.Snappy, maxDecompressedSize);
        if (src.StartsWith(XerialMagic))
            DecompressXerial(src, dst, ref budget);
        else
            DecompressRawBlock(src, dst, ref budget);
    }

    /// <summary>Whether <paramref name="block"/> is one well-formed raw snappy block.</summary>
    public static bool IsValidRawBlock(ReadOnlySpan<byte> block)
    {
        var output = new ArrayBufferWriter<byte>();
        var budget = new DecompressionBudget(CompressionType.Snappy, RecordCompression.DefaultMaxDecompressedSize);
        try
        {
            DecompressRawBlock(block, output, ref budget);
            return true;
        }
        catch (CorruptRecordException)
        {
            return false;
        }
    }

    private static void DecompressXerial(ReadOnlySpan<byte> src, IBufferWriter<byte> dst, ref DecompressionBudget budget)
    {
        while (!src.IsEmpty)
        {
            // xerial's reader accepts streams concatenated header and all, so a header may recur.
            if (src.StartsWith(XerialMagic))
            {
                if (src.Length < XerialHeaderSize)
                    throw new CorruptRecordException("snappy (xerial) header is truncated.");
                src = src[XerialHeaderSize..];
                continue;
            }
            if (src.Length < sizeof(int))
                throw new CorruptRecordException("snappy (xerial) block length is truncated.");
            int length = BinaryPrimitives.ReadInt32BigEndian(src);
            if (length < 0 || length > src.Length - sizeof(int))
                throw new CorruptRecordException($"snappy (xerial) block length {length} exceeds the {src.Length - sizeof(int)} bytes left.");
            DecompressRawBlock(src.Slice(sizeof(int), length), dst, ref budget);
            src = src[(sizeof(int) + length)..];
        }
    }

    private static void DecompressRawBlock(ReadOnlySpan<byte> block, IBufferWriter<byte> dst, ref DecompressionBudget budget)
    {
        int announced;
        try
        {
            announced = Snappy.GetUncompressedLength(block);
        }
        catch (InvalidDataException)
        {
            throw new CorruptRecordException("snappy block has no valid length preamble.");
        }
        // The output is taken at the announced size before decoding (the decoder never writes past
        // it), so the claim is checked first: against what the block could possibly expand to, then
        // against the caller's cap.
        if (announced < 0 || announced > MaxExpansion(block.Length))
            throw new CorruptRecordException($"snappy block of {block.Length} bytes claims {announced} bytes, more than it could hold.");
        budget.EnsureRoomFor(announced);
        var target = dst.GetSpan(announced)[..announced];
        if (!TryDecompress(block, target, out int produced) || produced != announced)
            throw new CorruptRecordException("snappy block is corrupt.");
        budget.Commit(dst, produced);
    }

    private static bool TryDecompress(ReadOnlySpan<byte> block, Span<byte> target, out int produced)
    {
        try
        {
            return Snappy.TryDecompress(block, target, out produced);
        }
        catch (InvalidDataException)
        {
            produced = 0;
            return false;
        }
    }

    /// <summary>
    /// The most a raw block can decode to. The densest element is a copy with a two-byte offset:
    /// three bytes that stand for up to 64.
    /// </summary>
    private static long MaxExpansion(int blockLength) => (long)blockLength / 3 * 64 + 64;
}
