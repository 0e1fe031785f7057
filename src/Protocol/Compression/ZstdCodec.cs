using System.Buffers;
using System.Runtime.InteropServices;
using Broker.Protocol.Records;

namespace Broker.Protocol.Compression;

/// <summary>
/// Kafka's zstd codec over libzstd. Decompression streams because producers that compress
/// incrementally (zstd-jni's output stream, librdkafka) may leave the content size out of the frame.
/// </summary>
public static partial class ZstdCodec
{
    /// <summary>Kafka's zstd level range (KIP-390) is libzstd's: negative "fast" levels up to 22.</summary>
    public const int MinLevel = -131072;
    public const int MaxLevel = 22;
    public const int DefaultLevel = 3;

    public static unsafe void Compress(ReadOnlySpan<byte> src, IBufferWriter<byte> dst, int? level = null)
    {
        int zstdLevel = level ?? DefaultLevel;
        if (zstdLevel < MinLevel || zstdLevel > MaxLevel)
            throw new ArgumentOutOfRangeException(nameof(level), zstdLevel, $"zstd level must be {MinLevel}..{MaxLevel}.");

        nuint bound = Native.CompressBound((nuint)src.Length);
        var target = dst.GetSpan(checked((int)bound));
        nuint written;
        fixed (byte* input = src)
        fixed (byte* output = target)
            written = Native.Compress(output, (nuint)target.Length, input, (nuint)src.Length, zstdLevel);
        if (Native.IsError(written) != 0)
            throw new InvalidOperationException($"ZSTD_compress failed: {ErrorName(written)}.");
        dst.Advance((int)written);
    }

    public static unsafe void Decompress(ReadOnlySpan<byte> src, IBufferWriter<byte> dst, int maxDecompressedSize)
    {
        var budget = new DecompressionBudget(CompressionType.Zstd, maxDecompressedSize);
        nint stream = Native.CreateDStream();
        if (stream == 0)
            throw new OutOfMemoryException("ZSTD_createDStream returned null.");
        try
        {
            fixed (byte* input = src)
            {
                var inBuffer = new InBuffer { Source = input, Size = (nuint)src.Length };
                while (true)
                {
                    var window = budget.NextWindow(dst);
                    nuint consumedBefore = inBuffer.Position;
                    nuint hint;
                    var outBuffer = new OutBuffer { Size = (nuint)window.Length };
                    fixed (byte* output = window)
                    {
                        outBuffer.Destination = output;
                        hint = Native.DecompressStream(stream, &outBuffer, &inBuffer);
                    }
                    if (Native.IsError(hint) != 0)
                        throw new CorruptRecordException($"zstd data is corrupt: {ErrorName(hint)}.");
                    budget.Commit(dst, (int)outBuffer.Position);

                    if (inBuffer.Position == inBuffer.Size)
                    {
                        // Hint 0: the frame is decoded and flushed. Asking again would only make the
                        // decoder wait for another frame's header.
                        if (hint == 0)
                            return;
                        // Output not full: everything decodable was flushed and the frame lacks its end.
                        if (outBuffer.Position < outBuffer.Size)
                            throw new CorruptRecordException("zstd frame is truncated.");
                    }
                    if (inBuffer.Position == consumedBefore && outBuffer.Position == 0)
                        throw new CorruptRecordException("zstd decoder made no progress.");
                }
            }
        }
        finally
        {
            Native.FreeDStream(stream);
        }
    }

    private static string ErrorName(nuint code) => Marshal.PtrToStringUTF8(Native.GetErrorName(code)) ?? $"error {code}";

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct InBuffer
    {
        public byte* Source;
        public nuint Size;
        public nuint Position;
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct OutBuffer
    {
        public byte* Destination;
        public nuint Size;
        public nuint Position;
    }

    private static unsafe partial class Native
    {
        private const string Library = "libzstd.so.1";

        [LibraryImport(Library, EntryPoint = "ZSTD_compressBound")]
        public static partial nuint CompressBound(nuint sourceSize);

        [LibraryImport(Library, EntryPoint = "ZSTD_compress")]
        public static partial nuint Compress(byte* destination, nuint destinationCapacity, byte* source, nuint sourceSize, int compressionLevel);

        [LibraryImport(Library, EntryPoint = "ZSTD_isError")]
        public static partial uint IsError(nuint code);

        [LibraryImport(Library, EntryPoint = "ZSTD_getErrorName")]
        public static partial nint GetErrorName(nuint code);

        [LibraryImport(Library, EntryPoint = "ZSTD_createDStream")]
        public static partial nint CreateDStream();

        [LibraryImport(Library, EntryPoint = "ZSTD_decompressStream")]
        public static partial nuint DecompressStream(nint stream, OutBuffer* output, InBuffer* input);

        [LibraryImport(Library, EntryPoint = "ZSTD_freeDStream")]
        public static partial nuint FreeDStream(nint stream);
    }
}
