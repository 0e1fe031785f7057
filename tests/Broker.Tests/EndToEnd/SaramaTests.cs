using System.Text.Json.Nodes;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>
/// Sarama 1.22 (Debian's golang-github-shopify-sarama-dev, from 2019) as a Go user runs it, told the
/// broker is Kafka 0.11 (Metadata v1, Produce v3, Fetch v4, JoinGroup v1, OffsetCommit v1, DescribeConfigs
/// v0: versions Kafka 4.0 refuses) and told it is 2.2, the newest Sarama 1.22 knows.
/// </summary>
public sealed class SaramaTests(SharedBroker shared, ITestOutputHelper output) : EndToEndTest(output), IClassFixture<SharedBroker>
{
    /// <summary>The first Kafka version with record batch v2; Sarama's zstd needs 2.1.</summary>
    public const string Oldest = "0.11.0.0";
    /// <summary>Sarama 1.22's MaxVersion.</summary>
    public const string Newest = "2.2.0";

    private readonly E2EBroker _broker = shared.Broker;

    [Theory]
    [InlineData(Oldest, "none")]
    [InlineData(Oldest, "gzip")]
    [InlineData(Oldest, "snappy")]
    [InlineData(Oldest, "lz4")]
    [InlineData(Newest, "none")]
    [InlineData(Newest, "gzip")]
    [InlineData(Newest, "snappy")]
    [InlineData(Newest, "lz4")]
    [InlineData(Newest, "zstd")]
    public Task Records_round_trip_with_every_codec(string version, string codec) =>
        // Sarama creates the topic through Metadata's auto-creation, which every version below 4 asks for.
        AssertRoundTripAsync(ScriptedClient.Sarama(version), _broker, codec);

    [Theory]
    [InlineData(Oldest)]
    [InlineData(Newest)]
    public async Task Consumer_group_reads_everything_and_commits_where_it_stopped(string version)
    {
        Watch(_broker);
        var sarama = ScriptedClient.Sarama(version);
        var topic = UniqueTopic("sarama-group");
        var group = UniqueTopic("sarama-group");
        await _broker.CreateTopicAsync(topic, 2);
        var deliveries = await sarama.ProduceAsync(_broker, topic, Enumerable.Range(0, 20).Select(i => new OutRecord($"user-{i}", $"event {i}")));

        var result = Clients.Succeeded(await sarama.RunAsync(_broker, "group", topic, null, "--group", group, "--count", "20"), _broker);

        var consumed = Clients.ParseConsumed(result);
        Assert.Equal(deliveries.Select(d => (d.Partition, d.Offset)).Order(), consumed.Select(c => (c.Partition, c.Offset)).Order());
        using var connection = await _broker.ConnectAsync();
        var committed = await connection.RequestAsync<OffsetFetchResponse>(new OffsetFetchRequest
        {
            GroupId = group, Topics = [new() { Name = topic, PartitionIndexes = [0, 1] }],
        }, 1);
        var expected = deliveries.GroupBy(d => d.Partition).ToDictionary(g => g.Key, g => g.Max(d => d.Offset) + 1);
        foreach (var partition in Assert.Single(committed.Topics).Partitions)
            Assert.Equal(expected.GetValueOrDefault(partition.PartitionIndex, -1), partition.CommittedOffset);
    }

    [Theory]
    [InlineData(Oldest)]
    [InlineData(Newest)]
    public async Task Admin_creates_a_topic_and_lists_it(string version)
    {
        Watch(_broker);
        var topic = UniqueTopic("sarama-admin");

        var result = Clients.Succeeded(await ScriptedClient.Sarama(version).RunAsync(_broker, "admin", topic, null, "--partitions", "3"), _broker);

        var listed = result.Lines.Select(l => JsonNode.Parse(l)!).ToDictionary(j => (string)j["topic"]!, j => (int)j["partitions"]!);
        Assert.Equal(3, listed[topic]);
        using var connection = await _broker.ConnectAsync();
        var metadata = await connection.RequestAsync<MetadataResponse>(new MetadataRequest { Topics = [new() { Name = topic }] }, 1);
        var described = Assert.Single(metadata.Topics);
        Assert.Equal((short)ErrorCode.None, described.ErrorCode);
        Assert.Equal(3, described.Partitions.Count);
    }
}
