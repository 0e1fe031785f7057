using Broker.Protocol.Records;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>
/// What a user of a client library sees against the broker: records come back as produced with
/// every codec, keys land where the library's partitioner put them, headers survive, and offsets
/// can be looked up by timestamp. Subclasses bind it to confluent-kafka and kafkajs.
/// </summary>
public abstract class ScriptedClientTests(SharedBroker shared, ITestOutputHelper output, ScriptedClient client)
    : EndToEndTest(output), IClassFixture<SharedBroker>
{
    protected E2EBroker Broker { get; } = shared.Broker;

    protected ScriptedClient Client { get; } = client;

    /// <summary>The partition the client's default partitioner picks for a key.</summary>
    protected abstract int ExpectedPartition(string key, int partitions);

    /// <summary>What the client reports for a timestamp later than every record.</summary>
    protected abstract long OffsetPastTheLastTimestamp(long highWatermark);

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    public Task Records_round_trip_uncompressed_and_with_gzip(string codec) => RoundTripAsync(codec);

    protected Task RoundTripAsync(string codec) => AssertRoundTripAsync(Client, Broker, codec);

    /// <param name="eachOnItsOwn">
    /// One request per record, so the client's answer names each record's partition; otherwise all
    /// records go in one request, which a client like kafkajs splits over partitions in one Produce.
    /// </param>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Keyed_records_land_on_the_partition_the_client_hashed_them_to(bool eachOnItsOwn)
    {
        Watch(Broker);
        const int partitions = 4;
        var topic = UniqueTopic($"{Client.Name}-keys");
        await Broker.CreateTopicAsync(topic, partitions);
        var records = Enumerable.Range(0, 40).Select(i => new OutRecord($"user-{i % 10}", $"event {i}")).ToList();

        var deliveries = await Client.ProduceAsync(Broker, topic, records, eachOnItsOwn: eachOnItsOwn);
        Assert.Equal(records.Select(r => (r.Key, ExpectedPartition(r.Key!, partitions))), deliveries.Select(d => (d.Key, d.Partition)));
        Assert.True(deliveries.Select(d => d.Partition).Distinct().Count() > 1, "ten keys should spread over more than one partition");

        var consumed = await Client.ConsumeAsync(Broker, topic);
        Assert.Equal(
            deliveries.Select(d => (d.Partition, d.Offset, d.Key, d.Value)).Order(),
            consumed.Select(c => (c.Partition, c.Offset, c.Key, c.Value)).Order());
        // Per partition, offsets are dense from 0 and follow the order the records were sent in.
        foreach (var group in consumed.GroupBy(c => c.Partition))
        {
            Assert.Equal(Enumerable.Range(0, group.Count()).Select(i => (long)i), group.Select(c => c.Offset));
            Assert.Equal(records.Where(r => ExpectedPartition(r.Key!, partitions) == group.Key).Select(r => r.Value), group.Select(c => c.Value));
        }
    }

    [Fact]
    public async Task Headers_round_trip_in_order_with_repeated_names_and_empty_values()
    {
        Watch(Broker);
        var topic = UniqueTopic($"{Client.Name}-headers");
        OutRecord[] records =
        [
            new("a", "with headers", [("trace-id", "4bf92f35"), ("dup", "first"), ("dup", "second"), ("empty", ""), ("unicode", "grüße ✓")]),
            new("b", "without headers"),
            new(null, "null key, one header", [("only", "one")]),
        ];
        await Client.ProduceAsync(Broker, topic, records);

        var consumed = await Client.ConsumeAsync(Broker, topic);
        Assert.Equal(records.Select(r => (r.Key, r.Value)), consumed.Select(c => (c.Key, c.Value)));
        for (var i = 0; i < records.Length; i++)
            Assert.Equal(records[i].Headers ?? [], consumed[i].Headers);
    }

    [Fact]
    public async Task Offsets_are_found_by_timestamp_and_timestamps_round_trip()
    {
        Watch(Broker);
        var topic = UniqueTopic($"{Client.Name}-times");
        // An hour ago, so retention by time cannot touch the records while the test runs.
        var start = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();
        var records = Enumerable.Range(0, 4).Select(i => new OutRecord($"k{i}", $"at +{i}s", Timestamp: start + i * 1000)).ToList();
        await Client.ProduceAsync(Broker, topic, records);

        var consumed = await Client.ConsumeAsync(Broker, topic);
        Assert.Equal(records.Select(r => r.Timestamp!.Value), consumed.Select(c => c.Timestamp));

        Assert.Equal(0, (await Client.OffsetsForTimestampAsync(Broker, topic, start - 5000))[0]);
        Assert.Equal(0, (await Client.OffsetsForTimestampAsync(Broker, topic, start))[0]);
        Assert.Equal(2, (await Client.OffsetsForTimestampAsync(Broker, topic, start + 1500))[0]);
        Assert.Equal(3, (await Client.OffsetsForTimestampAsync(Broker, topic, start + 3000))[0]);
        Assert.Equal(OffsetPastTheLastTimestamp(4), (await Client.OffsetsForTimestampAsync(Broker, topic, start + 3001))[0]);
    }
}

public sealed class ConfluentKafkaTests(SharedBroker shared, ITestOutputHelper output)
    : ScriptedClientTests(shared, output, ScriptedClient.ConfluentKafka)
{
    /// <summary>librdkafka's default partitioner is consistent_random: CRC-32 of the key.</summary>
    protected override int ExpectedPartition(string key, int partitions) => Partitioners.Crc32(key, partitions);

    /// <summary>offsets_for_times answers OFFSET_END (-1) when no record is that late.</summary>
    protected override long OffsetPastTheLastTimestamp(long highWatermark) => -1;

    [Theory]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public Task Records_round_trip_with_snappy_lz4_and_zstd(string codec) => RoundTripAsync(codec);
}

public sealed class KafkaJsTests(SharedBroker shared, ITestOutputHelper output)
    : ScriptedClientTests(shared, output, ScriptedClient.KafkaJs)
{
    /// <summary>kafkajs 2.x's DefaultPartitioner is the Java client's murmur2.</summary>
    protected override int ExpectedPartition(string key, int partitions) => Partitioners.Murmur2(key, partitions);

    /// <summary>fetchTopicOffsetsByTimestamp substitutes the high watermark when the broker finds no offset.</summary>
    protected override long OffsetPastTheLastTimestamp(long highWatermark) => highWatermark;

    /// <summary>snappy through kafkajs-snappy, lz4 and zstd through the reference tools (see kafkajs_client.js).</summary>
    [Theory]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public Task Records_round_trip_with_native_codecs(string codec) => RoundTripAsync(codec);
}
