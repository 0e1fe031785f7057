using System.Text;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>The reference hashes must match their libraries, or the partitioning tests prove nothing.</summary>
public class PartitionersTests
{
    /// <summary>Vectors from Kafka's UtilsTest.testMurmur2.</summary>
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Murmur2_matches_the_java_client(string key, int expected) =>
        Assert.Equal(expected, Partitioners.Murmur2(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public void Crc32_matches_the_standard_check_value() =>
        Assert.Equal(0xCBF43926u, Partitioners.Crc32("123456789"u8));
}
