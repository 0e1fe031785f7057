using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Broker.Protocol.Records;

namespace Broker.Protocol.Compression;

/// <summary>
/// Kafka's snappy codec over libsnappy. Java clients frame snappy the way xerial's
/// SnappyOutputStream does (a 16-byte header, then length-prefixed raw blocks); some other clients
/// send one raw snappy block. Both decode; we compress to the xerial framing because every client
/// reads it.
/// </summary>
public static partial class SnappyCodec
{
    /// <summary>xerial's stream magic: 0x82 "SNAPPY" 0x00.</summary>
    private static ReadOnlySpan<byte> XerialMagic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];
    private const int XerialHeaderSize = 16;
    private const int XerialVersion = 1;
    private const int XerialMinCompatibleVersion = 1;

    /// <summary>xerial's default block size, which is also what Kafka's Java producer uses.</summary>
    private const int BlockSize = 32 * 1024;

    public static unsafe void Compress(ReadOnlySpan<byte> src, IBufferWriter<byte> dst)
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
            int bound = checked((int)Native.MaxCompressedLength((nuint)block.Length));
            var target = dst.GetSpan(sizeof(int) + bound);
            nuint written = (nuint)bound;
            fixed (byte* input = block)
            fixed (byte* output = target)
            {
                var status = Native.Compress(input, (nuint)block.Length, output + sizeof(int), &written);
                if (status != Status.Ok)
                    throw new InvalidOperationException($"snappy_compress failed: {status}.");
            }
            BinaryPrimitives.WriteInt32BigEndian(target, (int)written);
            dst.Advance(sizeof(int) + (int)written);
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
    public static unsafe bool IsValidRawBlock(ReadOnlySpan<byte> block)
    {
        fixed (byte* p = block)
            return Native.ValidateCompressedBuffer(p, (nuint)block.Length) == Status.Ok;
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

    private static unsafe void DecompressRawBlock(ReadOnlySpan<byte> block, IBufferWriter<byte> dst, ref DecompressionBudget budget)
    {
        fixed (byte* input = block)
        {
            nuint announced;
            if (Native.UncompressedLength(input, (nuint)block.Length, &announced) != Status.Ok)
                throw new CorruptRecordException("snappy block has no valid length preamble.");
            // The output is allocated at the announced size before decoding, so the claim is checked
            // first: against what the block could possibly expand to, then against the caller's cap.
            if (announced > MaxExpansion(block.Length))
                throw new CorruptRecordException($"snappy block of {block.Length} bytes claims {announced} bytes, more than it could hold.");
            budget.EnsureRoomFor((long)announced);
            int size = (int)announced;
            var target = dst.GetSpan(size);
            nuint produced = (nuint)target.Length;
            fixed (byte* output = target)
            {
                if (Native.Uncompress(input, (nuint)block.Length, output, &produced) != Status.Ok)
                    throw new CorruptRecordException("snappy block is corrupt.");
            }
            budget.Commit(dst, (int)produced);
        }
    }

    /// <summary>
    /// The most a raw block can decode to. The densest element is a copy with a two-byte offset:
    /// three bytes that stand for up to 64.
    /// </summary>
    private static nuint MaxExpansion(int blockLength) => (nuint)blockLength / 3 * 64 + 64;

    private enum Status
    {
        Ok = 0,
        InvalidInput = 1,
        BufferTooSmall = 2,
    }

    private static unsafe partial class Native
    {
        private const string Library = "libsnappy.so.1";

        [LibraryImport(Library, EntryPoint = "snappy_compress")]
        public static partial Status Compress(byte* input, nuint inputLength, byte* compressed, nuint* compressedLength);

        [LibraryImport(Library, EntryPoint = "snappy_uncompress")]
        public static partial Status Uncompress(byte* compressed, nuint compressedLength, byte* uncompressed, nuint* uncompressedLength);

        [LibraryImport(Library, EntryPoint = "snappy_max_compressed_length")]
        public static partial nuint MaxCompressedLength(nuint sourceLength);

        [LibraryImport(Library, EntryPoint = "snappy_uncompressed_length")]
        public static partial Status UncompressedLength(byte* compressed, nuint compressedLength, nuint* result);

        [LibraryImport(Library, EntryPoint = "snappy_validate_compressed_buffer")]
        public static partial Status ValidateCompressedBuffer(byte* compressed, nuint compressedLength);
    }
}
