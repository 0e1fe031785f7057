namespace Broker.Log.Tests;

public class NamingTests
{
    [Theory]
    [InlineData("00000000000000000000.log", 0L)]
    [InlineData("00000000000000012345.log", 12345L)]
    [InlineData("09223372036854775807.log", long.MaxValue)]
    public void Segment_file_names_parse_back_to_their_base_offset(string name, long expected)
    {
        Assert.True(LogFileNames.TryParseSegmentFile(name, LogFileNames.LogSuffix, out var baseOffset));
        Assert.Equal(expected, baseOffset);
        Assert.Equal(name, LogFileNames.OffsetToName(expected) + LogFileNames.LogSuffix);
    }

    [Theory]
    [InlineData("0000000000000000000.log")]
    [InlineData("000000000000000000000.log")]
    [InlineData("0000000000000000000a.log")]
    [InlineData("00000000000000000000.index")]
    [InlineData("00000000000000000000.log.deleted")]
    public void Other_names_are_not_segments(string name) =>
        Assert.False(LogFileNames.TryParseSegmentFile(name, LogFileNames.LogSuffix, out _));

    [Theory]
    [InlineData("orders-0", "orders", 0)]
    [InlineData("my-topic-12", "my-topic", 12)]
    [InlineData("__consumer_offsets-49", "__consumer_offsets", 49)]
    public void Partition_directories_split_at_the_last_dash(string name, string topic, int partition)
    {
        Assert.True(TopicPartition.TryParse(name, out var tp));
        Assert.Equal(new TopicPartition(topic, partition), tp);
        Assert.Equal(name, tp.ToString());
    }

    [Theory]
    [InlineData("orders")]
    [InlineData("orders-")]
    [InlineData("-3")]
    [InlineData("orders-0.5d2f0c7b1e6a4c0f9d3e2b1a0c9d8e7f-delete")]
    [InlineData("orders-1x")]
    public void Other_directories_are_not_partitions(string name) => Assert.False(TopicPartition.TryParse(name, out _));
}
