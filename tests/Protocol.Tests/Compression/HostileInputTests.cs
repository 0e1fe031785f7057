using System.Buffers;
using Broker.Protocol.Compression;
using Broker.Protocol.Records;

namespace Broker.Protocol.Tests.Compression;

/// <summary>Compressed data comes from clients: every failure must be a CorruptRecordException, fast.</summary>
public class HostileInputTests
{
    public static TheoryData<CompressionType> Codecs() =>
        [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Bomb_stops_one_byte_past_the_cap(CompressionType codec)
    {
        const int limit = 64 * 1024;
        var bomb = Codec.Compress(codec, new byte[16 << 20]);
        var output = new ArrayBufferWriter<byte>();

        var e = Assert.Throws<CorruptRecordException>(() => RecordCompression.Decompress(codec, bomb, output, limit));

        Assert.Contains("limit", e.Message);
        Assert.True(output.WrittenCount <= limit + 1, $"wrote {output.WrittenCount} bytes");
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Output_of_exactly_the_cap_is_allowed(CompressionType codec)
    {
        var input = SampleData.JsonLines(100_000, seed: 5);

        Assert.Equal(input, Codec.Decompress(codec, Codec.Compress(codec, input), max: input.Length));
        Assert.Throws<CorruptRecordException>(() => Codec.Decompress(codec, Codec.Compress(codec, input), max: input.Length - 1));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Every_truncation_is_corrupt(CompressionType codec)
    {
        var compressed = Codec.Compress(codec, SampleData.JsonLines(5_000, seed: 6));

        // Snappy's xerial framing ends on a block boundary, so some cuts leave a shorter valid stream;
        // those must at least not claim the full length.
        for (int cut = 0; cut < compressed.Length; cut++)
        {
            try
            {
                var partial = Codec.Decompress(codec, compressed[..cut]);
                Assert.True(codec == CompressionType.Snappy && partial.Length < 5_000, $"cut at {cut} of {compressed.Length} decoded");
            }
            catch (CorruptRecordException)
            {
            }
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Empty_input_is_corrupt(CompressionType codec)
    {
        Assert.Throws<CorruptRecordException>(() => Codec.Decompress(codec, []));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Random_bytes_and_bit_flips_fail_only_as_corrupt_data(CompressionType codec)
    {
        var random = new Random(1234 + (int)codec);
        var valid = Codec.Compress(codec, SampleData.JsonLines(20_000, seed: 8));
        for (int i = 0; i < 300; i++)
        {
            byte[] input;
            if (i % 3 == 0)
            {
                input = SampleData.Random(random.Next(1, 2000), seed: i);
            }
            else
            {
                input = (byte[])valid.Clone();
                for (int flips = random.Next(1, 4); flips > 0; flips--)
                    input[random.Next(input.Length)] ^= (byte)(1 << random.Next(8));
            }
            try
            {
                Codec.Decompress(codec, input, max: 1 << 20);
            }
            catch (CorruptRecordException)
            {
            }
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void A_failed_decompression_leaves_nothing_behind_for_the_next(CompressionType codec)
    {
        var input = SampleData.JsonLines(50_000, seed: 9);
        var compressed = Codec.Compress(codec, input);

        // zstd keeps one decoder per thread; a frame abandoned halfway must not leak into the next.
        Assert.Throws<CorruptRecordException>(() => Codec.Decompress(codec, compressed[..(compressed.Length / 2)]));
        Assert.Throws<CorruptRecordException>(() => Codec.Decompress(codec, compressed, max: 1_000));

        Assert.Equal(input, Codec.Decompress(codec, compressed));
    }
}
