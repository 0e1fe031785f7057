using System.Buffers.Binary;
using Broker.Protocol.Compression;
using Broker.Protocol.Records;

namespace Broker.Protocol.Tests.Compression;

public class SnappyFramingTests
{
    /// <summary>"abcabcabcabc" by hand: length 12, literal "abc", then copy offset 3 length 9.</summary>
    private static readonly byte[] RawAbc = [0x0C, 0x08, (byte)'a', (byte)'b', (byte)'c', 0x15, 0x03];

    private static readonly byte[] XerialHeader = [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1];

    private static byte[] XerialBlock(byte[] raw)
    {
        var block = new byte[4 + raw.Length];
        BinaryPrimitives.WriteInt32BigEndian(block, raw.Length);
        raw.CopyTo(block, 4);
        return block;
    }

    [Fact]
    public void Hand_made_raw_block_decodes()
    {
        Assert.True(SnappyCodec.IsValidRawBlock(RawAbc));
        Assert.Equal("abcabcabcabc"u8.ToArray(), Codec.Decompress(CompressionType.Snappy, RawAbc));
    }

    [Fact]
    public void Hand_made_xerial_stream_with_two_blocks_decodes()
    {
        byte[] stream = [.. XerialHeader, .. XerialBlock(RawAbc), .. XerialBlock(RawAbc)];

        Assert.Equal("abcabcabcabcabcabcabcabc"u8.ToArray(), Codec.Decompress(CompressionType.Snappy, stream));
    }

    [Fact]
    public void Concatenated_xerial_streams_decode_as_one()
    {
        byte[] stream = [.. XerialHeader, .. XerialBlock(RawAbc), .. XerialHeader, .. XerialBlock(RawAbc)];

        Assert.Equal(24, Codec.Decompress(CompressionType.Snappy, stream).Length);
    }

    [Fact]
    public void Compress_writes_the_xerial_framing_with_32_KiB_blocks()
    {
        var input = SampleData.JsonLines(100_000, seed: 3);

        var stream = Codec.Compress(CompressionType.Snappy, input);

        Assert.Equal(XerialHeader, stream[..16]);
        int blocks = 0;
        for (int p = 16; p < stream.Length; blocks++)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(stream.AsSpan(p));
            Assert.True(SnappyCodec.IsValidRawBlock(stream.AsSpan(p + 4, length)));
            p += 4 + length;
        }
        Assert.Equal((100_000 + 32_767) / 32_768, blocks);
    }

    [Fact]
    public void A_block_of_our_stream_is_valid_raw_snappy_on_its_own()
    {
        var input = SampleData.JsonLines(20_000, seed: 4);
        var stream = Codec.Compress(CompressionType.Snappy, input);

        var raw = stream[20..];

        Assert.Equal(input, Codec.Decompress(CompressionType.Snappy, raw));
    }

    [Fact]
    public void Empty_input_is_a_bare_header()
    {
        Assert.Equal(XerialHeader, Codec.Compress(CompressionType.Snappy, []));
        Assert.Empty(Codec.Decompress(CompressionType.Snappy, XerialHeader));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(8)]
    [InlineData(int.MaxValue)]
    public void Xerial_block_length_beyond_the_data_is_corrupt(int length)
    {
        var block = XerialBlock(RawAbc);
        BinaryPrimitives.WriteInt32BigEndian(block, length);

        Assert.Throws<CorruptRecordException>(() => Codec.Decompress(CompressionType.Snappy, [.. XerialHeader, .. block]));
    }

    [Fact]
    public void Truncated_xerial_header_or_length_is_corrupt()
    {
        Assert.Throws<CorruptRecordException>(() => Codec.Decompress(CompressionType.Snappy, XerialHeader[..12]));
        Assert.Throws<CorruptRecordException>(() => Codec.Decompress(CompressionType.Snappy, [.. XerialHeader, 0, 0]));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, (byte)'x' })] // 4 GiB
    [InlineData(new byte[] { 0x80, 0x80, 0x40, 0x00, (byte)'x' })] // 1 MiB: under the cap, but not from 5 bytes
    public void Raw_block_claiming_more_than_it_could_hold_is_refused_before_allocating(byte[] block)
    {
        var e = Assert.Throws<CorruptRecordException>(() => Codec.Decompress(CompressionType.Snappy, block));
        Assert.Contains("more than it could hold", e.Message);
    }

    [Fact]
    public void Densest_possible_block_is_not_mistaken_for_a_lie()
    {
        // Literal "a", then ten copies of offset 1 and the maximum length 64 (tag 0xFE, offset 0x0001):
        // 641 bytes from 34, close to the 64-for-3 ceiling the claim check allows for.
        byte[] block = [0x81, 0x05, 0x00, (byte)'a', .. Enumerable.Repeat<byte[]>([0xFE, 0x01, 0x00], 10).SelectMany(b => b)];

        Assert.Equal(Enumerable.Repeat((byte)'a', 641).ToArray(), Codec.Decompress(CompressionType.Snappy, block));
    }
}
