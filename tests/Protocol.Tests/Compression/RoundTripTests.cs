using Broker.Protocol.Records;

namespace Broker.Protocol.Tests.Compression;

public class RoundTripTests
{
    public static TheoryData<CompressionType, string, int> Inputs()
    {
        var data = new TheoryData<CompressionType, string, int>();
        foreach (var codec in Codec.All)
        {
            foreach (int size in new[] { 0, 1, 100, 65_537, 1 << 20 })
                data.Add(codec, "json", size);
            data.Add(codec, "random", 1);
            data.Add(codec, "random", 1 << 20);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Decompress_returns_what_was_compressed(CompressionType codec, string kind, int size)
    {
        var input = kind == "json" ? SampleData.JsonLines(size, seed: size) : SampleData.Random(size, seed: size);

        var compressed = Codec.Compress(codec, input);
        var restored = Codec.Decompress(codec, compressed);

        Assert.Equal(input, restored);
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void Compressible_text_shrinks(CompressionType codec)
    {
        var input = SampleData.JsonLines(1 << 20, seed: 7);

        var compressed = Codec.Compress(codec, input);

        Assert.True(compressed.Length < input.Length / 2, $"{codec} left {compressed.Length} of {input.Length} bytes.");
    }

    [Theory]
    [InlineData(CompressionType.Gzip, 1)]
    [InlineData(CompressionType.Gzip, 9)]
    [InlineData(CompressionType.Lz4, 1)]
    [InlineData(CompressionType.Lz4, 9)]
    [InlineData(CompressionType.Lz4, 17)]
    [InlineData(CompressionType.Zstd, -5)]
    [InlineData(CompressionType.Zstd, 1)]
    [InlineData(CompressionType.Zstd, 19)]
    public void Every_kafka_level_round_trips(CompressionType codec, int level)
    {
        var input = SampleData.JsonLines(200_000, seed: level);

        var restored = Codec.Decompress(codec, Codec.Compress(codec, input, level));

        Assert.Equal(input, restored);
    }

    [Theory]
    [InlineData(CompressionType.Gzip, 0)]
    [InlineData(CompressionType.Gzip, 10)]
    [InlineData(CompressionType.Lz4, 18)]
    [InlineData(CompressionType.Zstd, 23)]
    public void Levels_outside_kafka_range_are_refused(CompressionType codec, int level)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Codec.Compress(codec, [1, 2, 3], level));
    }

    [Fact]
    public void Unknown_codec_id_on_the_wire_is_corrupt_data()
    {
        Assert.Throws<CorruptRecordException>(() => Codec.Decompress((CompressionType)5, [1, 2, 3]));
    }
}
