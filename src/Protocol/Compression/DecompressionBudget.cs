using System.Buffers;
using Broker.Protocol.Records;

namespace Broker.Protocol.Compression;

/// <summary>
/// Caps how many bytes one decompression may produce. Data from clients is hostile until proven
/// otherwise: a few kilobytes of zstd or gzip can claim gigabytes, so every codec writes through
/// this and stops one byte past the cap instead of growing the output until the process dies.
/// </summary>
internal struct DecompressionBudget
{
    /// <summary>Asked of the writer per step; writers may hand out more, which is used too.</summary>
    private const int StepSize = 64 * 1024;

    private readonly CompressionType _codec;
    private readonly int _limit;
    private long _produced;

    public DecompressionBudget(CompressionType codec, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        _codec = codec;
        _limit = limit;
    }

    public readonly long Produced => _produced;

    /// <summary>
    /// Room for the next piece of output: never more than one byte beyond the cap, so a stream
    /// that overshoots is caught after at most that byte instead of after the whole bomb.
    /// </summary>
    public readonly Span<byte> NextWindow(IBufferWriter<byte> dst)
    {
        var span = dst.GetSpan(StepSize);
        long room = _limit - _produced + 1;
        return room < span.Length ? span[..(int)room] : span;
    }

    /// <summary>
    /// Room for up to <paramref name="wanted"/> bytes (for decoders that need a whole block's room at
    /// once), cut to one byte beyond the cap like <see cref="NextWindow"/>.
    /// </summary>
    public readonly Span<byte> Window(IBufferWriter<byte> dst, int wanted)
    {
        long room = _limit - _produced + 1;
        return dst.GetSpan((int)Math.Min(wanted, room))[..(int)Math.Min(wanted, room)];
    }

    public void Commit(IBufferWriter<byte> dst, int count)
    {
        dst.Advance(count);
        _produced += count;
        if (_produced > _limit)
            throw TooLarge();
    }

    /// <summary>For codecs that announce a block's size before decoding it (snappy).</summary>
    public readonly void EnsureRoomFor(long announced)
    {
        if (_produced + announced > _limit)
            throw TooLarge();
    }

    private readonly CorruptRecordException TooLarge() =>
        new($"{_codec} data decompresses to more than the limit of {_limit} bytes.");
}
