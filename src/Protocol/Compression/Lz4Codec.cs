using System.Buffers;
using System.Runtime.InteropServices;
using Broker.Protocol.Records;

namespace Broker.Protocol.Compression;

/// <summary>
/// Kafka's lz4 codec: the LZ4 frame format (KIP-57) via liblz4's LZ4F API. We write frames the
/// way Kafka's Java producer does (64 KiB independent blocks, no checksums, no content size): the
/// batch CRC already guards the bytes, and the Java consumer's decoder expects that shape.
/// </summary>
public static partial class Lz4Codec
{
    /// <summary>Kafka accepts lz4 levels 1..17; liblz4 clamps anything above 12 to 12.</summary>
    public const int MinLevel = 1;
    public const int MaxLevel = 17;

    /// <summary>LZ4F's fast mode; Kafka's Java producer also uses the fast compressor by default.</summary>
    public const int DefaultLevel = 0;

    private const uint FrameApiVersion = 100;
    private const int BlockSizeMax64KB = 4;
    private const int BlockIndependent = 1;

    public static unsafe void Compress(ReadOnlySpan<byte> src, IBufferWriter<byte> dst, int? level = null)
    {
        int lz4Level = level ?? DefaultLevel;
        if (level is not null && (lz4Level < MinLevel || lz4Level > MaxLevel))
            throw new ArgumentOutOfRangeException(nameof(level), lz4Level, $"lz4 level must be {MinLevel}..{MaxLevel}.");

        var preferences = new Preferences
        {
            BlockSizeId = BlockSizeMax64KB,
            BlockMode = BlockIndependent,
            CompressionLevel = lz4Level,
        };
        nuint bound = Native.CompressFrameBound((nuint)src.Length, &preferences);
        var target = dst.GetSpan(checked((int)bound));
        nuint written;
        fixed (byte* input = src)
        fixed (byte* output = target)
            written = Native.CompressFrame(output, (nuint)target.Length, input, (nuint)src.Length, &preferences);
        if (Native.IsError(written) != 0)
            throw new InvalidOperationException($"LZ4F_compressFrame failed: {ErrorName(written)}.");
        dst.Advance((int)written);
    }

    public static unsafe void Decompress(ReadOnlySpan<byte> src, IBufferWriter<byte> dst, int maxDecompressedSize)
    {
        var budget = new DecompressionBudget(CompressionType.Lz4, maxDecompressedSize);
        nint context;
        nuint created = Native.CreateDecompressionContext(&context, FrameApiVersion);
        if (Native.IsError(created) != 0)
            throw new InvalidOperationException($"LZ4F_createDecompressionContext failed: {ErrorName(created)}.");
        try
        {
            fixed (byte* input = src)
            {
                int consumed = 0;
                while (true)
                {
                    var window = budget.NextWindow(dst);
                    nuint produced = (nuint)window.Length;
                    nuint taken = (nuint)(src.Length - consumed);
                    nuint hint;
                    fixed (byte* output = window)
                        hint = Native.Decompress(context, output, &produced, input + consumed, &taken, null);
                    if (Native.IsError(hint) != 0)
                        throw new CorruptRecordException($"lz4 data is corrupt: {ErrorName(hint)}.");
                    consumed += (int)taken;
                    budget.Commit(dst, (int)produced);

                    if (consumed == src.Length)
                    {
                        // Hint 0: the frame is decoded and flushed. Asking again would only make the
                        // decoder wait for another frame's header.
                        if (hint == 0)
                            return;
                        // Output not full: everything decodable was flushed and the frame lacks its end.
                        if ((int)produced < window.Length)
                            throw new CorruptRecordException("lz4 frame is truncated.");
                    }
                    if (taken == 0 && produced == 0)
                        throw new CorruptRecordException("lz4 decoder made no progress.");
                }
            }
        }
        finally
        {
            Native.FreeDecompressionContext(context);
        }
    }

    private static string ErrorName(nuint code) => Marshal.PtrToStringUTF8(Native.GetErrorName(code)) ?? $"error {code}";

    /// <summary>LZ4F_preferences_t (with its LZ4F_frameInfo_t inlined), as laid out by liblz4 1.8+.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Preferences
    {
        public int BlockSizeId;
        public int BlockMode;
        public int ContentChecksumFlag;
        public int FrameType;
        public ulong ContentSize;
        public uint DictionaryId;
        public int BlockChecksumFlag;
        public int CompressionLevel;
        public uint AutoFlush;
        public uint FavorDecompressionSpeed;
        public uint Reserved0;
        public uint Reserved1;
        public uint Reserved2;
    }

    private static unsafe partial class Native
    {
        private const string Library = "liblz4.so.1";

        [LibraryImport(Library, EntryPoint = "LZ4F_compressFrameBound")]
        public static partial nuint CompressFrameBound(nuint sourceSize, Preferences* preferences);

        [LibraryImport(Library, EntryPoint = "LZ4F_compressFrame")]
        public static partial nuint CompressFrame(byte* destination, nuint destinationCapacity, byte* source, nuint sourceSize, Preferences* preferences);

        [LibraryImport(Library, EntryPoint = "LZ4F_createDecompressionContext")]
        public static partial nuint CreateDecompressionContext(nint* context, uint version);

        [LibraryImport(Library, EntryPoint = "LZ4F_freeDecompressionContext")]
        public static partial nuint FreeDecompressionContext(nint context);

        [LibraryImport(Library, EntryPoint = "LZ4F_decompress")]
        public static partial nuint Decompress(nint context, byte* destination, nuint* destinationSize, byte* source, nuint* sourceSize, void* options);

        [LibraryImport(Library, EntryPoint = "LZ4F_isError")]
        public static partial uint IsError(nuint code);

        [LibraryImport(Library, EntryPoint = "LZ4F_getErrorName")]
        public static partial nint GetErrorName(nuint code);
    }
}
