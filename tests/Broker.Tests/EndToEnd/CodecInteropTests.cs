using Broker.Protocol.Records;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>
/// Every codec both ways among kcat (librdkafka), confluent-kafka (librdkafka's Python binding),
/// kafkajs and Sarama: what one client produced is stored compressed as sent and read back by all.
/// </summary>
public sealed class CodecInteropTests(SharedBroker shared, ITestOutputHelper output) : EndToEndTest(output), IClassFixture<SharedBroker>
{
    private readonly E2EBroker _broker = shared.Broker;

    public static TheoryData<string, string> ProducersAndCodecs()
    {
        var data = new TheoryData<string, string>();
        foreach (var producer in Names)
            foreach (var codec in new[] { "gzip", "snappy", "lz4", "zstd" })
                data.Add(producer, codec);
        return data;
    }

    private static readonly string[] Names = ["kcat", "confluent-kafka", "kafkajs", "sarama"];

    [Theory]
    [MemberData(nameof(ProducersAndCodecs))]
    public async Task Batches_one_client_compressed_are_stored_so_and_read_by_every_client(string producer, string codec)
    {
        Watch(_broker);
        var topic = UniqueTopic($"interop-{producer}-{codec}");
        await _broker.CreateTopicAsync(topic, 1);
        var records = Enumerable.Range(0, 30)
            .Select(i => new OutRecord($"key-{i}", $"value {i} " + string.Concat(Enumerable.Repeat("all work and no play ", 4))))
            .ToList();

        await ProduceAsync(producer, topic, records, codec);

        var stored = StoredCodecs(_broker, topic, 0);
        Assert.NotEmpty(stored);
        Assert.All(stored, c => Assert.Equal(Enum.Parse<CompressionType>(codec, ignoreCase: true), c));
        foreach (var consumer in Names)
        {
            var consumed = await ConsumeAsync(consumer, topic);
            Assert.True(records.Select((r, i) => ((long)i, r.Key, r.Value)).SequenceEqual(consumed.Select(c => (c.Offset, c.Key, c.Value))),
                $"{consumer} read back {consumed.Count} records of {records.Count} that {producer} produced with {codec}");
        }
    }

    private async Task ProduceAsync(string client, string topic, List<OutRecord> records, string codec)
    {
        if (client == "kcat")
            await Clients.KcatAsync(_broker, string.Concat(records.Select(r => $"{r.Key}:{r.Value}\n")),
                "-P", "-t", topic, "-K:", "-z", codec, "-X", "linger.ms=50");
        else
            await Scripted(client).ProduceAsync(_broker, topic, records, codec);
    }

    private async Task<List<ConsumedRecord>> ConsumeAsync(string client, string topic) => client == "kcat"
        ? Clients.ParseKcatJson(await Clients.KcatAsync(_broker, null, "-C", "-t", topic, "-o", "beginning", "-e", "-J", "-q"))
        : await Scripted(client).ConsumeAsync(_broker, topic);

    private static ScriptedClient Scripted(string client) => client switch
    {
        "confluent-kafka" => ScriptedClient.ConfluentKafka,
        "kafkajs" => ScriptedClient.KafkaJs,
        _ => ScriptedClient.Sarama(SaramaTests.Newest),
    };
}
