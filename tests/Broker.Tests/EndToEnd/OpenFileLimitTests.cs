using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>
/// Segment files are opened on use and at most <c>log.open.files.max</c> stay open, so a node started
/// with fewer descriptors (<c>prlimit --nofile</c>) than it hosts partitions still serves every one of
/// them to a third-party client, and starts again on the same data.
/// </summary>
public sealed class OpenFileLimitTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const int OpenFiles = 400;
    private const int Partitions = 600;

    [Fact]
    public async Task A_node_hosting_more_partitions_than_its_open_file_limit_serves_all_of_them_and_restarts()
    {
        await using var broker = Watch(await E2EBroker.StartWithOpenFileLimitAsync(OpenFiles));
        Assert.Contains($"open-file limit {OpenFiles})", broker.Logs);
        var topic = UniqueTopic("many-partitions");
        await broker.CreateTopicAsync(topic, Partitions);

        await ProduceOneToEachPartitionAsync(broker, topic, "first");
        await AssertConsumedAsync(broker, topic, "first");
        Output.WriteLine($"{Partitions} partitions under nofile={OpenFiles}: {broker.OpenDescriptors()} descriptors open after producing and consuming");

        await broker.StopAsync();
        await broker.RestartAsync();
        await ProduceOneToEachPartitionAsync(broker, topic, "second");
        await AssertConsumedAsync(broker, topic, "first", "second");
        Output.WriteLine($"after restart: {broker.OpenDescriptors()} descriptors open");
    }

    private static async Task ProduceOneToEachPartitionAsync(E2EBroker broker, string topic, string round)
    {
        var records = Enumerable.Range(0, Partitions).Select(p => new OutRecord(null, $"{round}-{p}", Partition: p));
        var deliveries = await ScriptedClient.ConfluentKafka.ProduceAsync(broker, topic, records);
        Assert.Equal(Enumerable.Range(0, Partitions), deliveries.Select(d => d.Partition).Order());
    }

    private static async Task AssertConsumedAsync(E2EBroker broker, string topic, params string[] rounds)
    {
        var consumed = await ScriptedClient.ConfluentKafka.ConsumeAsync(broker, topic);
        var expected = Enumerable.Range(0, Partitions).SelectMany(p => rounds.Select((round, i) => (p, (long)i, $"{round}-{p}")));
        Assert.Equal(expected.Order(), consumed.Select(c => (c.Partition, c.Offset, c.Value!)).Order());
    }
}
