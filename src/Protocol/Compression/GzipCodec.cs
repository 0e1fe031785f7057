using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using Broker.Protocol.Records;

namespace Broker.Protocol.Compression;

/// <summary>
/// Kafka's gzip codec: one RFC 1952 member, which is what every Kafka client writes.
/// </summary>
public static class GzipCodec
{
    /// <summary>Kafka accepts gzip levels 1..9; -1 means zlib's own default (6).</summary>
    public const int MinLevel = 1;
    public const int MaxLevel = 9;
    public const int DefaultLevel = -1;

    /// <summary>Header (10 bytes) plus trailer (CRC32 and ISIZE, 4 bytes each).</summary>
    private const int MinMemberSize = 18;

    /// <summary>
    /// A complete member holding nothing. GZipStream writes no bytes at all for empty input, which
    /// no gzip reader (Java's included) accepts.
    /// </summary>
    private static ReadOnlySpan<byte> EmptyMember =>
        [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF, 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];

    public static void Compress(ReadOnlySpan<byte> src, IBufferWriter<byte> dst, int? level = null)
    {
        int zlibLevel = level ?? DefaultLevel;
        if (zlibLevel != DefaultLevel && (zlibLevel < MinLevel || zlibLevel > MaxLevel))
            throw new ArgumentOutOfRangeException(nameof(level), zlibLevel, $"gzip level must be {MinLevel}..{MaxLevel}.");
        if (src.IsEmpty)
        {
            dst.Write(EmptyMember);
            return;
        }

        using var sink = new BufferWriterStream(dst);
        using (var gzip = new GZipStream(sink, new ZLibCompressionOptions { CompressionLevel = zlibLevel }, leaveOpen: true))
            gzip.Write(src);
    }

    public static unsafe void Decompress(ReadOnlySpan<byte> src, IBufferWriter<byte> dst, int maxDecompressedSize)
    {
        if (src.Length < MinMemberSize)
            throw new CorruptRecordException($"gzip data of {src.Length} bytes is shorter than a gzip header and trailer.");

        var budget = new DecompressionBudget(CompressionType.Gzip, maxDecompressedSize);
        fixed (byte* p = src)
        {
            // The span is pinned for the stream's whole life, so the stream can read it in place.
            using var input = new UnmanagedMemoryStream(p, src.Length);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            try
            {
                while (true)
                {
                    int n = gzip.Read(budget.NextWindow(dst));
                    if (n == 0)
                        break;
                    budget.Commit(dst, n);
                }
            }
            catch (InvalidDataException e)
            {
                throw new CorruptRecordException($"gzip data is corrupt: {e.Message}", e);
            }
        }

        // GZipStream ends quietly when its input runs out mid-member, so a truncated stream would pass
        // as a shorter one. A complete member ends with its length mod 2^32 (ISIZE); zlib has already
        // checked that against the data, so matching it here proves the member is all there.
        if (BinaryPrimitives.ReadUInt32LittleEndian(src[^4..]) != (uint)budget.Produced)
            throw new CorruptRecordException("gzip data is truncated (or holds several members, which Kafka clients never write).");
    }
}
