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
        Check(written, "ZSTD_compress");
        dst.Advance((int)written);
    }

    /// <summary>
    /// A thread keeps its decompression stream between batches: creating one and growing its window
    /// costs more than decoding a typical 16 KiB batch. A stream a frame has grown past this (a
    /// client is free to ask for a window of up to 128 MiB) is freed rather than kept.
    /// </summary>
    private const long MaxCachedStreamSize = 8 * 1024 * 1024;

    [ThreadStatic]
    private static DecompressionStream? t_cachedStream;

    public static unsafe void Decompress(ReadOnlySpan<byte> src, IBufferWriter<byte> dst, int maxDecompressedSize)
    {
        var budget = new DecompressionBudget(CompressionType.Zstd, maxDecompressedSize);
        var stream = t_cachedStream ?? new DecompressionStream();
        t_cachedStream = null;
        nint handle = stream.DangerousGetHandle();
        try
        {
            // A previous batch may have failed mid-frame; start clean.
            Check(Native.ResetDecompressionContext(handle, ResetSessionOnly), "ZSTD_DCtx_reset");
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
                        hint = Native.DecompressStream(handle, &outBuffer, &inBuffer);
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
            if ((long)Native.SizeOfDStream(handle) <= MaxCachedStreamSize)
                t_cachedStream = stream;
            else
                stream.Dispose();
        }
    }

    private static void Check(nuint code, string function)
    {
        if (Native.IsError(code) != 0)
            throw new InvalidOperationException($"{function} failed: {ErrorName(code)}.");
    }

    private static string ErrorName(nuint code) => Marshal.PtrToStringUTF8(Native.GetErrorName(code)) ?? $"error {code}";

    /// <summary>ZSTD_reset_session_only: forget the frame in progress, keep parameters and buffers.</summary>
    private const int ResetSessionOnly = 1;

    /// <summary>Owns a ZSTD_DStream, so one cached by a thread that ends is still freed (by the finalizer).</summary>
    private sealed class DecompressionStream : SafeHandle
    {
        public DecompressionStream() : base(0, ownsHandle: true)
        {
            SetHandle(Native.CreateDStream());
            if (IsInvalid)
                throw new OutOfMemoryException("ZSTD_createDStream returned null.");
        }

        public override bool IsInvalid => handle == 0;

        protected override bool ReleaseHandle()
        {
            Native.FreeDStream(handle);
            return true;
        }
    }

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

        [LibraryImport(Library, EntryPoint = "ZSTD_DCtx_reset")]
        public static partial nuint ResetDecompressionContext(nint stream, int directive);

        [LibraryImport(Library, EntryPoint = "ZSTD_sizeof_DStream")]
        public static partial nuint SizeOfDStream(nint stream);
    }
}
