using Broker.Protocol.Records;

namespace Broker.Protocol.Tests.Records;

public class Crc32cTests
{
    /// <summary>ComputeCrc covers a batch from the attributes field on; pad so the data lands there.</summary>
    private static uint Crc32c(ReadOnlySpan<byte> data)
    {
        var batch = new byte[RecordBatchLayout.Attributes + data.Length];
        data.CopyTo(batch.AsSpan(RecordBatchLayout.Attributes));
        return RecordBatchHeader.ComputeCrc(batch);
    }

    /// <summary>Bit-at-a-time CRC32C (reflected polynomial 0x82F63B78), slow but obviously right.</summary>
    private static uint Reference(ReadOnlySpan<byte> data)
    {
        uint crc = ~0u;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }

    [Fact]
    public void Standard_check_value()
    {
        Assert.Equal(0xE3069283u, Crc32c("123456789"u8));
    }

    [Fact]
    public void Empty_input_gives_zero()
    {
        Assert.Equal(0u, Crc32c([]));
    }

    [Fact]
    public void Every_length_and_tail_matches_the_bitwise_reference()
    {
        var data = new byte[300];
        new Random(99).NextBytes(data);
        for (int length = 0; length <= data.Length; length++)
            Assert.Equal(Reference(data.AsSpan(0, length)), Crc32c(data.AsSpan(0, length)));
    }
}
