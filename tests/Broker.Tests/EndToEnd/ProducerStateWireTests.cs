using Broker.Protocol;
using Broker.Protocol.Messages;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>
/// Idempotent produce over a raw socket, with batches no well-behaved client sends: each broken
/// rule gets Kafka's error code, nothing is appended for it, and the broker keeps serving.
/// </summary>
public sealed class ProducerStateWireTests(SharedBroker shared, ITestOutputHelper output) : EndToEndTest(output), IClassFixture<SharedBroker>
{
    private readonly E2EBroker _broker = shared.Broker;

    [Fact]
    public async Task Sequence_and_epoch_errors_are_answered_with_kafkas_codes_and_a_retry_gets_its_first_offset()
    {
        Watch(_broker);
        var topic = UniqueTopic("idem-raw");
        await _broker.CreateTopicAsync(topic, 1);
        using var connection = await _broker.ConnectAsync();
        var pid = await InitProducerIdAsync(connection);

        Assert.Equal((ErrorCode.None, 0L), await ProduceAsync(connection, topic, Batch(pid, 0, 0, "a", "b")));
        Assert.Equal((ErrorCode.None, 2L), await ProduceAsync(connection, topic, Batch(pid, 0, 2, "c")));
        // The same batch again (a retry whose answer was lost): success, with the offset it got the first time.
        Assert.Equal((ErrorCode.None, 0L), await ProduceAsync(connection, topic, Batch(pid, 0, 0, "a", "b")));
        // A gap: sequence 5 where 3 is next.
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, (await ProduceAsync(connection, topic, Batch(pid, 0, 5, "x"))).Error);
        // A new epoch must start at 0; then the old epoch is fenced.
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, (await ProduceAsync(connection, topic, Batch(pid, 1, 3, "x"))).Error);
        Assert.Equal((ErrorCode.None, 3L), await ProduceAsync(connection, topic, Batch(pid, 1, 0, "d")));
        Assert.Equal(ErrorCode.InvalidProducerEpoch, (await ProduceAsync(connection, topic, Batch(pid, 0, 3, "x"))).Error);
        // A producer id with a negative sequence, and a transactional batch without a transaction.
        Assert.Equal(ErrorCode.InvalidRecord, (await ProduceAsync(connection, topic, Batch(pid, 1, -1, "x"))).Error);
        Assert.Equal(ErrorCode.InvalidTxnState, (await ProduceAsync(connection, topic, Batch(pid, 1, 1, "x", transactional: true))).Error);
        // A producer id this partition never saw may start anywhere (Kafka since KIP-360: no UNKNOWN_PRODUCER_ID).
        Assert.Equal((ErrorCode.None, 4L), await ProduceAsync(connection, topic, Batch(pid + 500, 0, 17, "e")));

        var consumed = Clients.ParseKcatJson(await Clients.KcatAsync(_broker, null, "-C", "-t", topic, "-e", "-J", "-q"));
        Assert.Equal(["a", "b", "c", "d", "e"], consumed.Select(c => c.Value));
        Assert.Equal([0L, 1, 2, 3, 4], consumed.Select(c => c.Offset));

        var described = await DescribeProducersAsync(connection, topic, 0);
        Assert.Equal((short)ErrorCode.None, described.ErrorCode);
        Assert.Equal([(pid, 1, 0), (pid + 500, 0, 17)],
            described.ActiveProducers.OrderBy(p => p.ProducerId).Select(p => (p.ProducerId, p.ProducerEpoch, p.LastSequence)));
        Assert.All(described.ActiveProducers, p => Assert.Equal(-1, p.CurrentTxnStartOffset));
    }

    [Fact]
    public async Task Init_producer_id_gives_new_ids_and_refuses_what_it_cannot_serve()
    {
        Watch(_broker);
        using var connection = await _broker.ConnectAsync();
        var first = await InitProducerIdAsync(connection);
        var second = await InitProducerIdAsync(connection, version: 1);
        Assert.NotEqual(first, second);

        // KIP-360 style: the current id and epoch are passed; an idempotent producer gets a fresh id, as from Kafka.
        var bumped = await connection.RequestAsync<InitProducerIdResponse>(new InitProducerIdRequest
        {
            TransactionalId = null, TransactionTimeoutMs = 60000, ProducerId = second, ProducerEpoch = 0,
        }, 4);
        Assert.Equal((short)ErrorCode.None, bumped.ErrorCode);
        Assert.Equal(0, bumped.ProducerEpoch);

        var halfSet = await connection.RequestAsync<InitProducerIdResponse>(new InitProducerIdRequest
        {
            TransactionalId = null, TransactionTimeoutMs = 60000, ProducerId = second, ProducerEpoch = -1,
        }, 4);
        Assert.Equal((short)ErrorCode.InvalidRequest, halfSet.ErrorCode);

        var transactional = await connection.RequestAsync<InitProducerIdResponse>(new InitProducerIdRequest
        {
            TransactionalId = "txn-1", TransactionTimeoutMs = 60000,
        }, 4);
        Assert.Equal((short)ErrorCode.CoordinatorNotAvailable, transactional.ErrorCode);
        Assert.Equal(-1, transactional.ProducerId);
    }

    [Fact]
    public async Task Describe_producers_names_unknown_partitions_and_lists_none_for_a_plain_topic()
    {
        Watch(_broker);
        var topic = UniqueTopic("describe");
        await _broker.CreateTopicAsync(topic, 1);
        using var connection = await _broker.ConnectAsync();

        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, (await DescribeProducersAsync(connection, "no-such-topic", 0)).ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, (await DescribeProducersAsync(connection, topic, 7)).ErrorCode);
        await Clients.KcatAsync(_broker, "plain\n", "-P", "-t", topic);
        var plain = await DescribeProducersAsync(connection, topic, 0);
        Assert.Equal((short)ErrorCode.None, plain.ErrorCode);
        Assert.Empty(plain.ActiveProducers);
    }

    [Fact]
    public async Task Allocate_producer_ids_hands_out_consecutive_blocks_on_the_controller_listener_only()
    {
        Watch(_broker);
        using var controller = await KafkaConnection.ConnectAsync(_broker.ControllerPort);
        var (epoch, a) = await FirstAcceptedAllocationAsync(controller);
        var b = await controller.RequestAsync<AllocateProducerIdsResponse>(new AllocateProducerIdsRequest { BrokerId = 1, BrokerEpoch = epoch }, 0);
        Assert.Equal((short)ErrorCode.None, a.ErrorCode);
        Assert.Equal(1000, a.ProducerIdLen);
        Assert.Equal(a.ProducerIdStart + 1000, b.ProducerIdStart);

        var stale = await controller.RequestAsync<AllocateProducerIdsResponse>(new AllocateProducerIdsRequest { BrokerId = 1, BrokerEpoch = epoch + 1 }, 0);
        Assert.Equal((short)ErrorCode.StaleBrokerEpoch, stale.ErrorCode);
        var unknown = await controller.RequestAsync<AllocateProducerIdsResponse>(new AllocateProducerIdsRequest { BrokerId = 42, BrokerEpoch = epoch }, 0);
        Assert.Equal((short)ErrorCode.BrokerIdNotRegistered, unknown.ErrorCode);

        using var client = await _broker.ConnectAsync();
        // A controller-only API on a broker listener is not served there: Kafka closes the connection.
        await client.SendFrameAsync(KafkaConnection.Encode(new AllocateProducerIdsRequest { BrokerId = 1, BrokerEpoch = epoch }, 0, 1));
        Assert.True(await client.ClosedByBrokerAsync());
    }

    /// <summary>
    /// A broker's epoch is the metadata offset of its registration, which no client API reports:
    /// probe upward, every wrong epoch being answered STALE_BROKER_EPOCH, until one is accepted.
    /// </summary>
    private static async Task<(long Epoch, AllocateProducerIdsResponse Block)> FirstAcceptedAllocationAsync(KafkaConnection controller)
    {
        for (long epoch = 0; epoch < 1000; epoch++)
        {
            var answer = await controller.RequestAsync<AllocateProducerIdsResponse>(new AllocateProducerIdsRequest { BrokerId = 1, BrokerEpoch = epoch }, 0);
            if (answer.ErrorCode == (short)ErrorCode.None)
                return (epoch, answer);
            Assert.Equal((short)ErrorCode.StaleBrokerEpoch, answer.ErrorCode);
        }
        throw new Xunit.Sdk.XunitException("no broker epoch was accepted");
    }

    internal static async Task<long> InitProducerIdAsync(KafkaConnection connection, short version = 4)
    {
        var response = await connection.RequestAsync<InitProducerIdResponse>(new InitProducerIdRequest
        {
            TransactionalId = null, TransactionTimeoutMs = 60000,
        }, version);
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        Assert.Equal(0, response.ProducerEpoch);
        Assert.True(response.ProducerId >= 0);
        return response.ProducerId;
    }

    internal static async Task<DescribeProducersResponse.PartitionResponse> DescribeProducersAsync(KafkaConnection connection, string topic, int partition)
    {
        var response = await connection.RequestAsync<DescribeProducersResponse>(new DescribeProducersRequest
        {
            Topics = [new DescribeProducersRequest.TopicRequest { Name = topic, PartitionIndexes = [partition] }],
        }, 0);
        return Assert.Single(Assert.Single(response.Topics).Partitions);
    }

    private static async Task<(ErrorCode Error, long BaseOffset)> ProduceAsync(KafkaConnection connection, string topic, byte[] batch)
    {
        var partition = await RawProduce.SendAsync(connection, topic, batch);
        return ((ErrorCode)partition.ErrorCode, partition.BaseOffset);
    }

    private static byte[] Batch(long producerId, short epoch, int sequence, string first, params string[] more) =>
        RawProduce.Batch([first, .. more], producerId, epoch, sequence);

    private static byte[] Batch(long producerId, short epoch, int sequence, string value, bool transactional) =>
        RawProduce.Batch([value], producerId, epoch, sequence, transactional);
}
