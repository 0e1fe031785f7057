using System.Buffers;
using Broker.Protocol.Records;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Encoders;
using K4os.Compression.LZ4.Streams;
using K4os.Compression.LZ4.Streams.Frames;

namespace Broker.Protocol.Compression;

/// <summary>
/// Kafka's lz4 codec: the LZ4 frame format (KIP-57) via K4os.Compression.LZ4 (managed). We write
/// frames the way Kafka's Java producer does (64 KiB independent blocks, no checksums, no content
/// size): the batch CRC already guards the bytes, and the Java consumer's decoder expects that shape.
/// </summary>
public static class Lz4Codec
{
    /// <summary>Kafka accepts lz4 levels 1..17; like liblz4, anything above 12 means 12.</summary>
    public const int MinLevel = 1;
    public const int MaxLevel = 17;

    /// <summary>The fast compressor, which Kafka's Java producer also uses by default.</summary>
    public const int DefaultLevel = 0;

    /// <summary>liblz4's levels 1 and 2 are its fast mode too; high compression starts at 3.</summary>
    private const int FirstHighCompressionLevel = 3;
    private const int HighestLevel = 12;

    public static void Compress(ReadOnlySpan<byte> src, IBufferWriter<byte> dst, int? level = null)
    {
        int lz4Level = level ?? DefaultLevel;
        if (level is not null && (lz4Level < MinLevel || lz4Level > MaxLevel))
            throw new ArgumentOutOfRangeException(nameof(level), lz4Level, $"lz4 level must be {MinLevel}..{MaxLevel}.");

        var settings = new LZ4EncoderSettings
        {
            BlockSize = 64 * 1024,
            ChainBlocks = false,
            ContentChecksum = false,
            BlockChecksum = false,
            ContentLength = null,
            CompressionLevel = lz4Level < FirstHighCompressionLevel ? LZ4Level.L00_FAST : (LZ4Level)Math.Min(lz4Level, HighestLevel),
        };
        LZ4Frame.Encode(src, dst, settings);
    }

    public static unsafe void Decompress(ReadOnlySpan<byte> src, IBufferWriter<byte> dst, int maxDecompressedSize)
    {
        if (src.IsEmpty)
            throw new CorruptRecordException("lz4 data is empty.");
        var budget = new DecompressionBudget(CompressionType.Lz4, maxDecompressedSize);
        if (Lz4IndependentFrame.Applies(src))
        {
            Lz4IndependentFrame.Decode(src, dst, ref budget);
            return;
        }
        fixed (byte* p = src)
        {
            // The decoder holds at most one block (the frame says how big, 4 MiB at most) and hands it
            // out a window at a time, so a bomb stops at the budget however much the frame claims.
            // The span is pinned for the stream's whole life, so the stream reads it in place; the
            // reader takes exactly the frame's bytes from it, so its position tells where the frame ended.
            using var input = new UnmanagedMemoryStream(p, src.Length);
            using var reader = new StreamLZ4FrameReader(input, leaveOpen: true,
                descriptor => LZ4Decoder.Create(descriptor.Chaining, descriptor.BlockSize, 0));
            try
            {
                if (!reader.OpenFrame())
                    throw new CorruptRecordException("lz4 data holds no frame.");
                while (true)
                {
                    int n = reader.ReadManyBytes(budget.NextWindow(dst), interactive: true);
                    if (n == 0)
                        break;
                    budget.Commit(dst, n);
                }
                if (input.Position != src.Length)
                    throw new CorruptRecordException($"lz4 frame ends {src.Length - input.Position} bytes before the data does.");
            }
            // K4os reports a bad block as InvalidOperationException and a bad header as the others.
            catch (Exception e) when (e is InvalidDataException or IOException or InvalidOperationException or NotImplementedException or ArgumentException)
            {
                throw new CorruptRecordException($"lz4 data is corrupt: {e.Message}", e);
            }
        }
    }
}
