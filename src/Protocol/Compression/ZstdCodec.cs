using System.Buffers;
using System.Runtime.InteropServices;
using Broker.Protocol.Records;
using ZstdSharp.Unsafe;

namespace Broker.Protocol.Compression;

/// <summary>
/// Kafka's zstd codec over ZstdSharp (libzstd ported to C#, same API, no native library).
/// Decompression streams because producers that compress incrementally (zstd-jni's output stream,
/// librdkafka) may leave the content size out of the frame.
/// </summary>
public static class ZstdCodec
{
    /// <summary>Kafka's zstd level range (KIP-390) is libzstd's: negative "fast" levels up to 22.</summary>
    public const int MinLevel = -131072;
    public const int MaxLevel = 22;
    public const int DefaultLevel = 3;

    /// <summary>
    /// A thread keeps its compression context too: building one per batch costs more than
    /// compressing a small batch. Contexts that high levels grew past the cached size are freed.
    /// </summary>
    [ThreadStatic]
    private static CompressionContext? t_cachedContext;

    public static unsafe void Compress(ReadOnlySpan<byte> src, IBufferWriter<byte> dst, int? level = null)
    {
        int zstdLevel = level ?? DefaultLevel;
        if (zstdLevel < MinLevel || zstdLevel > MaxLevel)
            throw new ArgumentOutOfRangeException(nameof(level), zstdLevel, $"zstd level must be {MinLevel}..{MaxLevel}.");

        nuint bound = Methods.ZSTD_compressBound((nuint)src.Length);
        var target = dst.GetSpan(checked((int)bound));
        var context = t_cachedContext ?? new CompressionContext();
        t_cachedContext = null;
        nuint written;
        try
        {
            fixed (byte* input = src)
            fixed (byte* output = target)
                written = Methods.ZSTD_compressCCtx(context.Pointer, output, (nuint)target.Length, input, (nuint)src.Length, zstdLevel);
        }
        finally
        {
            if ((long)Methods.ZSTD_sizeof_CCtx(context.Pointer) <= MaxCachedStreamSize)
                t_cachedContext = context;
            else
                context.Dispose();
        }
        Check(written, "ZSTD_compressCCtx");
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
        var handle = stream.Pointer;
        try
        {
            // A previous batch may have failed mid-frame; start clean.
            Check(Methods.ZSTD_DCtx_reset(handle, ZSTD_ResetDirective.ZSTD_reset_session_only), "ZSTD_DCtx_reset");
            fixed (byte* input = src)
            {
                var inBuffer = new ZSTD_inBuffer_s { src = input, size = (nuint)src.Length };
                while (true)
                {
                    var window = budget.NextWindow(dst);
                    nuint consumedBefore = inBuffer.pos;
                    nuint hint;
                    var outBuffer = new ZSTD_outBuffer_s { size = (nuint)window.Length };
                    fixed (byte* output = window)
                    {
                        outBuffer.dst = output;
                        hint = Methods.ZSTD_decompressStream(handle, &outBuffer, &inBuffer);
                    }
                    if (Methods.ZSTD_isError(hint))
                        throw new CorruptRecordException($"zstd data is corrupt: {ErrorName(hint)}.");
                    budget.Commit(dst, (int)outBuffer.pos);

                    if (inBuffer.pos == inBuffer.size)
                    {
                        // Hint 0: the frame is decoded and flushed. Asking again would only make the
                        // decoder wait for another frame's header.
                        if (hint == 0)
                            return;
                        // Output not full: everything decodable was flushed and the frame lacks its end.
                        if (outBuffer.pos < outBuffer.size)
                            throw new CorruptRecordException("zstd frame is truncated.");
                    }
                    if (inBuffer.pos == consumedBefore && outBuffer.pos == 0)
                        throw new CorruptRecordException("zstd decoder made no progress.");
                }
            }
        }
        finally
        {
            if ((long)Methods.ZSTD_sizeof_DStream(handle) <= MaxCachedStreamSize)
                t_cachedStream = stream;
            else
                stream.Dispose();
        }
    }

    private static void Check(nuint code, string function)
    {
        if (Methods.ZSTD_isError(code))
            throw new InvalidOperationException($"{function} failed: {ErrorName(code)}.");
    }

    private static string ErrorName(nuint code) => Methods.ZSTD_getErrorName(code);

    /// <summary>Owns a ZSTD_DStream, so one cached by a thread that ends is still freed (by the finalizer).</summary>
    private sealed unsafe class DecompressionStream : SafeHandle
    {
        public DecompressionStream() : base(0, ownsHandle: true)
        {
            SetHandle((nint)Methods.ZSTD_createDStream());
            if (IsInvalid)
                throw new OutOfMemoryException("ZSTD_createDStream returned null.");
        }

        public ZSTD_DCtx_s* Pointer => (ZSTD_DCtx_s*)handle;

        public override bool IsInvalid => handle == 0;

        protected override bool ReleaseHandle()
        {
            Methods.ZSTD_freeDStream((ZSTD_DCtx_s*)handle);
            return true;
        }
    }

    /// <summary>Owns a ZSTD_CCtx, freed like <see cref="DecompressionStream"/>.</summary>
    private sealed unsafe class CompressionContext : SafeHandle
    {
        public CompressionContext() : base(0, ownsHandle: true)
        {
            SetHandle((nint)Methods.ZSTD_createCCtx());
            if (IsInvalid)
                throw new OutOfMemoryException("ZSTD_createCCtx returned null.");
        }

        public ZSTD_CCtx_s* Pointer => (ZSTD_CCtx_s*)handle;

        public override bool IsInvalid => handle == 0;

        protected override bool ReleaseHandle()
        {
            Methods.ZSTD_freeCCtx((ZSTD_CCtx_s*)handle);
            return true;
        }
    }
}
