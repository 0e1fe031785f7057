namespace Broker.Log.Tests;

public class LogConfigTests
{
    [Fact]
    public void Defaults_are_kafkas()
    {
        var config = LogConfig.Default;
        Assert.Equal(1L << 30, config.SegmentBytes);
        Assert.Equal(604_800_000L, config.SegmentMs);
        Assert.Equal(10 * 1024 * 1024, config.SegmentIndexBytes);
        Assert.Equal(4096, config.IndexIntervalBytes);
        Assert.Equal(604_800_000L, config.RetentionMs);
        Assert.Equal(-1L, config.RetentionBytes);
        Assert.Equal(long.MaxValue, config.FlushMessages);
        Assert.Equal(60_000L, config.FileDeleteDelayMs);
    }

    [Theory]
    [InlineData("segment.bytes")]
    [InlineData("segment.index.bytes")]
    [InlineData("flush.messages")]
    public void Invalid_values_are_reported_by_their_kafka_key(string key)
    {
        var config = key switch
        {
            "segment.bytes" => new LogConfig { SegmentBytes = 13 },
            "segment.index.bytes" => new LogConfig { SegmentIndexBytes = 3 },
            _ => new LogConfig { FlushMessages = 0 },
        };
        Assert.StartsWith(key, Assert.Throws<ArgumentException>(() => config.Validate()).Message);
    }
}
