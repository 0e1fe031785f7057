using Broker.Protocol.Records;

namespace Broker.Protocol.Tests.Records;

public class VarintTests
{
    [Theory]
    [InlineData(0, new byte[] { 0x00 })]
    [InlineData(-1, new byte[] { 0x01 })]
    [InlineData(1, new byte[] { 0x02 })]
    [InlineData(-64, new byte[] { 0x7F })]
    [InlineData(64, new byte[] { 0x80, 0x01 })]
    [InlineData(300, new byte[] { 0xD8, 0x04 })]
    [InlineData(int.MaxValue, new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0x0F })]
    [InlineData(int.MinValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void Varint_known_encodings(int value, byte[] encoded)
    {
        var buffer = new byte[Varint.MaxVarintSize];
        int written = Varint.WriteVarint(buffer, value);
        int position = 0;

        Assert.Equal(encoded, buffer[..written]);
        Assert.Equal(encoded.Length, Varint.SizeOfVarint(value));
        Assert.Equal(value, Varint.ReadVarint(encoded, ref position));
        Assert.Equal(encoded.Length, position);
    }

    [Theory]
    [InlineData(0L, 1)]
    [InlineData(-1L, 1)]
    [InlineData(1_700_000_000_000L, 6)]
    [InlineData(long.MaxValue, 10)]
    [InlineData(long.MinValue, 10)]
    public void Varlong_round_trips_at_the_expected_size(long value, int size)
    {
        var buffer = new byte[Varint.MaxVarlongSize];
        int written = Varint.WriteVarlong(buffer, value);
        int position = 0;

        Assert.Equal(size, written);
        Assert.Equal(size, Varint.SizeOfVarlong(value));
        Assert.Equal(value, Varint.ReadVarlong(buffer, ref position));
    }

    [Fact]
    public void Random_values_round_trip()
    {
        var random = new Random(17);
        var buffer = new byte[Varint.MaxVarlongSize];
        for (int i = 0; i < 10_000; i++)
        {
            long value = random.NextInt64(long.MinValue, long.MaxValue) >> random.Next(64);
            int position = 0;
            Varint.WriteVarlong(buffer, value);
            Assert.Equal(value, Varint.ReadVarlong(buffer, ref position));

            int small = (int)value;
            position = 0;
            Varint.WriteVarint(buffer, small);
            Assert.Equal(small, Varint.ReadVarint(buffer, ref position));
        }
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x80 })]
    [InlineData(new byte[] { 0xFF, 0xFF })]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 })] // six bytes
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x1F })] // a 33rd bit
    public void Bad_varints_are_corrupt(byte[] encoded)
    {
        Assert.Throws<CorruptRecordException>(() =>
        {
            int position = 0;
            Varint.ReadVarint(encoded, ref position);
        });
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 })] // eleven bytes
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x03 })] // a 65th bit
    [InlineData(new byte[] { 0x81, 0x81 })]
    public void Bad_varlongs_are_corrupt(byte[] encoded)
    {
        Assert.Throws<CorruptRecordException>(() =>
        {
            int position = 0;
            Varint.ReadVarlong(encoded, ref position);
        });
    }
}
