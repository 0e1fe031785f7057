using Broker.Protocol.Records;

namespace Broker.Protocol.Tests.Compression;

/// <summary>
/// Our frames against the reference command-line tools, both ways: proves the output is the
/// standard format rather than something only our own decoder understands.
/// </summary>
public class CliInteropTests
{
    private static readonly byte[] Input = SampleData.JsonLines(300_000, seed: 42);

    [Theory]
    [InlineData(CompressionType.Zstd, "zstd", "-d -c")]
    [InlineData(CompressionType.Lz4, "lz4", "-d -c")]
    [InlineData(CompressionType.Gzip, "gzip", "-d -c")]
    public void Cli_decompresses_our_output(CompressionType codec, string program, string arguments)
    {
        var compressed = Codec.Compress(codec, Input);

        var restored = CliTool.Filter(program, arguments, compressed);

        Assert.Equal(Input, restored);
    }

    [Theory]
    // Reading stdin, zstd cannot know the size and leaves it out of the frame: the streaming path.
    [InlineData(CompressionType.Zstd, "zstd", "-c -q")]
    [InlineData(CompressionType.Zstd, "zstd", "-c -q -19 --no-check")]
    [InlineData(CompressionType.Lz4, "lz4", "-c -q")]
    // Linked blocks, block checksums and a content size: frame features our writer never uses.
    [InlineData(CompressionType.Lz4, "lz4", "-c -q -BD -BX --content-size -B4")]
    [InlineData(CompressionType.Lz4, "lz4", "-c -q -12")]
    [InlineData(CompressionType.Gzip, "gzip", "-c -9")]
    public void We_decompress_cli_output(CompressionType codec, string program, string arguments)
    {
        var compressed = CliTool.Filter(program, arguments, Input);

        var restored = Codec.Decompress(codec, compressed);

        Assert.Equal(Input, restored);
    }

    [Fact]
    public void Concatenated_zstd_frames_decode_as_one_stream()
    {
        var first = CliTool.Filter("zstd", "-c -q", Input[..1000]);
        var second = Codec.Compress(CompressionType.Zstd, Input[1000..]);

        var restored = Codec.Decompress(CompressionType.Zstd, [.. first, .. second]);

        Assert.Equal(Input, restored);
    }
}
