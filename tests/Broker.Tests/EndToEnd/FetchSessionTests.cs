using System.Text;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Records;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>
/// Incremental fetch sessions (KIP-227) over the wire. librdkafka and kafkajs never open sessions,
/// so these requests are built with the project's generated messages, as the Java client sends them.
/// </summary>
public sealed class FetchSessionTests(SharedBroker shared, ITestOutputHelper output) : EndToEndTest(output), IClassFixture<SharedBroker>
{
    private const short Version = 12;

    [Fact]
    public async Task A_session_sends_only_what_changed_and_checks_its_epoch()
    {
        var broker = Watch(shared.Broker);
        var topic = UniqueTopic("session");
        await broker.CreateTopicAsync(topic, 2);
        using var connection = await broker.ConnectAsync();
        await ProduceAsync(connection, topic, 0, "a", "b", "c");

        var opened = await FetchAsync(connection, sessionId: 0, epoch: 0, topic, [(0, 0L), (1, 0L)]);
        Assert.Equal(0, opened.ErrorCode);
        Assert.NotEqual(0, opened.SessionId);
        var full = Assert.Single(opened.Responses).Partitions;
        Assert.Equal([0, 1], full.Select(p => p.PartitionIndex));
        Assert.Equal(3, full[0].HighWatermark);
        Assert.False(full[0].Records!.Value.IsEmpty);

        // Partition 0 moves on to offset 3; nothing new anywhere: an incremental answer lists nothing.
        var quiet = await FetchAsync(connection, opened.SessionId, epoch: 1, topic, [(0, 3L)]);
        Assert.Equal(opened.SessionId, quiet.SessionId);
        Assert.Empty(quiet.Responses);

        // New data on partition 1 only: only partition 1 comes back, though the request names none.
        await ProduceAsync(connection, topic, 1, "d");
        var changed = await FetchAsync(connection, opened.SessionId, epoch: 2, topic, []);
        var partition = Assert.Single(Assert.Single(changed.Responses).Partitions);
        Assert.Equal(1, partition.PartitionIndex);
        Assert.Equal(1, partition.HighWatermark);

        var replayed = await FetchAsync(connection, opened.SessionId, epoch: 2, topic, []);
        Assert.Equal((short)ErrorCode.InvalidFetchSessionEpoch, replayed.ErrorCode);

        var closed = await FetchAsync(connection, opened.SessionId, epoch: -1, topic, [(0, 0L)]);
        Assert.Equal(0, closed.SessionId);
        Assert.Single(Assert.Single(closed.Responses).Partitions);

        var gone = await FetchAsync(connection, opened.SessionId, epoch: 3, topic, []);
        Assert.Equal((short)ErrorCode.FetchSessionIdNotFound, gone.ErrorCode);
    }

    private static Task<FetchResponse> FetchAsync(KafkaConnection connection, int sessionId, int epoch, string topic, (int Partition, long Offset)[] partitions)
    {
        var request = new FetchRequest { MaxWaitMs = 0, MinBytes = 1, MaxBytes = 1 << 20, SessionId = sessionId, SessionEpoch = epoch };
        if (partitions.Length > 0)
            request.Topics.Add(new FetchRequest.FetchTopic
            {
                Topic = topic,
                Partitions = partitions.Select(p => new FetchRequest.FetchPartition { Partition = p.Partition, FetchOffset = p.Offset, PartitionMaxBytes = 1 << 20 }).ToList(),
            });
        return connection.RequestAsync<FetchResponse>(request, Version);
    }

    private static async Task ProduceAsync(KafkaConnection connection, string topic, int partition, params string[] values)
    {
        using var builder = new RecordBatchBuilder();
        foreach (var value in values)
            builder.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, Encoding.UTF8.GetBytes(value));
        using var batch = builder.Build();
        var response = await connection.RequestAsync<ProduceResponse>(new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 5000,
            TopicData = [new ProduceRequest.TopicProduceData
            {
                Name = topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = partition, Records = batch.WrittenSpan.ToArray() }],
            }],
        }, 9);
        Assert.Equal(0, Assert.Single(Assert.Single(response.Responses).PartitionResponses).ErrorCode);
    }
}
