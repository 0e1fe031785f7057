using Broker.Protocol;
using Broker.Protocol.Messages;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>FindCoordinator, and the reason it is advertised from v0: librdkafka's codec negotiation.</summary>
public sealed class FindCoordinatorTests(SharedBroker shared, ITestOutputHelper output) : EndToEndTest(output), IClassFixture<SharedBroker>
{
    [Fact]
    public async Task Kcat_lz4_batches_are_stored_lz4_compressed()
    {
        // librdkafka 2.0 sends LZ4 only to brokers advertising FindCoordinator v0; otherwise it silently
        // falls back to uncompressed batches, which a round trip alone would not notice.
        var broker = Watch(shared.Broker);
        var topic = UniqueTopic("lz4");
        await broker.CreateTopicAsync(topic, 1);
        // Each value compresses well on its own: librdkafka sends a batch uncompressed when compression
        // would not shrink it, and how stdin lines are split into batches is up to its linger timer.
        var lines = Enumerable.Range(0, 200).Select(i => $"{i}:" + new string('x', 500));
        Clients.Succeeded(await Clients.KcatAsync(broker, string.Join('\n', lines) + "\n", "-P", "-t", topic, "-z", "lz4"), broker);

        var stored = StoredCodecs(broker, topic, 0);
        Assert.NotEmpty(stored);
        Assert.All(stored, codec => Assert.Equal(Protocol.Records.CompressionType.Lz4, codec));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(6)]
    public async Task Group_coordinator_is_this_broker_at_every_version(short version)
    {
        var broker = Watch(shared.Broker);
        using var connection = await broker.ConnectAsync();
        var request = new FindCoordinatorRequest { Key = "orders", KeyType = 0, CoordinatorKeys = ["orders", "billing"] };
        var response = await connection.RequestAsync<FindCoordinatorResponse>(request, version);
        if (version < 4)
        {
            Assert.Equal((short)ErrorCode.None, response.ErrorCode);
            Assert.Equal(1, response.NodeId);
            Assert.Equal(broker.Port, response.Port);
        }
        else
        {
            Assert.Equal(["orders", "billing"], response.Coordinators.Select(c => c.Key));
            Assert.All(response.Coordinators, c => Assert.Equal((1, broker.Port, (short)0), (c.NodeId, c.Port, c.ErrorCode)));
        }
    }

    [Fact]
    public void Group_placement_matches_kafkas_hash()
    {
        // Java: "my-group".hashCode() == -1906497762 and Utils.abs of it % 50 == 12 (a sign-bit mask would give 36).
        Assert.Equal(12, global::Broker.Handlers.FindCoordinatorHandler.PartitionFor("my-group", 50));
        Assert.Equal(47, global::Broker.Handlers.FindCoordinatorHandler.PartitionFor("group-a", 50));
    }
}
