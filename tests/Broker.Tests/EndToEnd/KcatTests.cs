using Broker.Protocol.Records;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>kcat (librdkafka) as a shell user runs it: -P from stdin, -C -e to the end, -Q for offsets.</summary>
public sealed class KcatTests(SharedBroker shared, ITestOutputHelper output) : EndToEndTest(output), IClassFixture<SharedBroker>
{
    private readonly E2EBroker _broker = shared.Broker;

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task Records_round_trip_with_every_codec(string codec)
    {
        Watch(_broker);
        var topic = UniqueTopic($"kcat-{codec}");
        var lines = Enumerable.Range(0, 50).Select(i => $"key-{i}:value {i} " + string.Concat(Enumerable.Repeat("all work and no play ", 5))).ToList();
        await Clients.KcatAsync(_broker, string.Join("\n", lines) + "\n", "-P", "-t", topic, "-K:", "-z", codec, "-X", "linger.ms=50");

        var consumed = await ConsumeAsync(topic);
        Assert.Equal(lines.Select((l, i) => (0, (long)i, l.Split(':', 2)[0], l.Split(':', 2)[1])),
            consumed.Select(c => (c.Partition, c.Offset, c.Key!, c.Value!)));
        var stored = StoredCodecs(_broker, topic, 0);
        Assert.NotEmpty(stored);
        Assert.All(stored, c => Assert.Equal(Enum.Parse<CompressionType>(codec, ignoreCase: true), c));
    }

    /// <summary>
    /// A librdkafka that never asks ApiVersions and assumes Kafka 0.11 (Metadata v2, Produce v3, Fetch
    /// v4, ListOffsets v1), as clients configured for old brokers do. zstd needs 2.1, so it is not offered.
    /// </summary>
    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    public async Task A_client_assuming_Kafka_0_11_without_ApiVersions_produces_and_consumes(string codec)
    {
        Watch(_broker);
        var topic = UniqueTopic($"kcat-0-11-{codec}");
        await _broker.CreateTopicAsync(topic, 1);
        string[] old = ["-X", "api.version.request=false", "-X", "broker.version.fallback=0.11.0"];
        var lines = Enumerable.Range(0, 30).Select(i => $"key-{i}:value {i} " + string.Concat(Enumerable.Repeat("all work and no play ", 5))).ToList();
        await Clients.KcatAsync(_broker, string.Join("\n", lines) + "\n", ["-P", "-t", topic, "-K:", "-z", codec, "-X", "linger.ms=50", .. old]);

        var consumed = Clients.ParseKcatJson(await Clients.KcatAsync(_broker, null, ["-C", "-t", topic, "-o", "beginning", "-e", "-J", "-q", .. old]));

        Assert.Equal(lines.Select((l, i) => ((long)i, l.Split(':', 2)[0], l.Split(':', 2)[1])), consumed.Select(c => (c.Offset, c.Key!, c.Value!)));
        Assert.All(StoredCodecs(_broker, topic, 0), c => Assert.Equal(Enum.Parse<CompressionType>(codec, ignoreCase: true), c));
    }

    /// <summary>
    /// The default consistent_random hashes keys with CRC-32; murmur2_random is librdkafka's
    /// Java-compatible choice. Either way the broker must store each record where kcat sent it.
    /// </summary>
    [Theory]
    [InlineData("consistent_random")]
    [InlineData("murmur2_random")]
    public async Task Keyed_records_land_on_the_partition_the_partitioner_picks(string partitioner)
    {
        Watch(_broker);
        const int partitions = 4;
        var topic = UniqueTopic("kcat-keys");
        await _broker.CreateTopicAsync(topic, partitions);
        var lines = Enumerable.Range(0, 40).Select(i => $"user-{i % 10}:event {i}").ToList();
        await Clients.KcatAsync(_broker, string.Join("\n", lines) + "\n", "-P", "-t", topic, "-K:", "-X", $"partitioner={partitioner}");

        Func<string, int, int> expected = partitioner == "murmur2_random" ? Partitioners.Murmur2 : Partitioners.Crc32;
        var consumed = await ConsumeAsync(topic);
        Assert.Equal(40, consumed.Count);
        Assert.All(consumed, c => Assert.Equal(expected(c.Key!, partitions), c.Partition));
        Assert.True(consumed.Select(c => c.Partition).Distinct().Count() > 1, "ten keys should spread over more than one partition");
        foreach (var group in consumed.GroupBy(c => c.Partition))
            Assert.Equal(lines.Where(l => expected(l.Split(':')[0], partitions) == group.Key).Select(l => l.Split(':')[1]), group.Select(c => c.Value));
    }

    [Fact]
    public async Task Headers_round_trip()
    {
        Watch(_broker);
        var topic = UniqueTopic("kcat-headers");
        await Clients.KcatAsync(_broker, "one\ntwo\n", "-P", "-t", topic, "-H", "trace-id=4bf92f35", "-H", "dup=first", "-H", "dup=second", "-H", "empty=");

        var consumed = await ConsumeAsync(topic);
        Assert.Equal(["one", "two"], consumed.Select(c => c.Value));
        (string, string?)[] headers = [("trace-id", "4bf92f35"), ("dup", "first"), ("dup", "second"), ("empty", "")];
        Assert.All(consumed, c => Assert.Equal(headers, c.Headers));
    }

    /// <summary>
    /// kcat cannot set timestamps, so two runs give two groups of create times; starting at the
    /// second group's first timestamp must skip exactly the first group.
    /// </summary>
    [Fact]
    public async Task Consuming_from_a_timestamp_starts_at_the_first_record_at_or_after_it()
    {
        Watch(_broker);
        var topic = UniqueTopic("kcat-times");
        await Clients.KcatAsync(_broker, "a1\na2\na3\n", "-P", "-t", topic);
        await Clients.KcatAsync(_broker, "b1\nb2\nb3\n", "-P", "-t", topic);
        var all = await ConsumeAsync(topic);
        var second = all[3].Timestamp;
        Assert.True(all.Take(3).All(r => r.Timestamp < second), $"the second kcat run must stamp later times: {string.Join(", ", all)}");

        var fromSecond = Clients.ParseKcatJson(await Clients.KcatAsync(_broker, null, "-C", "-t", topic, "-o", $"s@{second}", "-e", "-J", "-q"));
        Assert.Equal(["b1", "b2", "b3"], fromSecond.Select(r => r.Value));
        Assert.Equal([3L, 4L, 5L], fromSecond.Select(r => r.Offset));

        var query = await Clients.KcatAsync(_broker, null, "-Q", "-t", $"{topic}:0:{second}");
        Assert.Contains($"{topic} [0] offset 3", query.Stdout);
        var pastTheEnd = await Clients.KcatAsync(_broker, null, "-Q", "-t", $"{topic}:0:{all[^1].Timestamp + 1}");
        Assert.Contains($"{topic} [0] offset -1", pastTheEnd.Stdout);
    }

    [Fact]
    public async Task Metadata_lists_the_broker_and_auto_created_topics()
    {
        Watch(_broker);
        var topic = UniqueTopic("kcat-metadata");
        await Clients.KcatAsync(_broker, "x\n", "-P", "-t", topic);
        var listing = await Clients.KcatAsync(_broker, null, "-L", "-t", topic);
        Assert.Contains($"broker 1 at {_broker.Bootstrap}", listing.Stdout);
        Assert.Contains($"topic \"{topic}\" with 1 partitions", listing.Stdout);
        Assert.Contains("partition 0, leader 1, replicas: 1, isrs: 1", listing.Stdout);
    }

    /// <summary>A consumer caught up with the log waits in Fetch and is woken by the next append, not by a poll interval.</summary>
    [Fact]
    public async Task A_caught_up_consumer_receives_records_produced_while_it_waits()
    {
        Watch(_broker);
        var topic = UniqueTopic("kcat-tail");
        await Clients.KcatAsync(_broker, "first\n", "-P", "-t", topic);
        // -u: kcat block-buffers a piped stdout, and the test watches lines as they come.
        using var consumer = ClientProcess.Start("kcat", ["-b", _broker.Bootstrap, "-C", "-t", topic, "-o", "beginning", "-c", "3", "-f", "%o %s\n", "-q", "-u"]);
        await consumer.WaitForLinesAsync(l => l.Contains("0 first"), ClientProcess.DefaultDeadline, "the existing record");

        await Clients.KcatAsync(_broker, "second\nthird\n", "-P", "-t", topic);
        var result = Clients.Succeeded(await consumer.WaitForExitAsync(ClientProcess.DefaultDeadline), _broker);
        Assert.Equal(["0 first", "1 second", "2 third"], result.Lines);
    }

    private async Task<List<ConsumedRecord>> ConsumeAsync(string topic) =>
        Clients.ParseKcatJson(await Clients.KcatAsync(_broker, null, "-C", "-t", topic, "-o", "beginning", "-e", "-J", "-q"));
}
