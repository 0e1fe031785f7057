using Broker.Protocol;
using Broker.Protocol.Messages;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>
/// One request may not create more partitions than Kafka lets one controller operation write, and
/// no broker is given more replicas than max.broker.partitions: both are refused with
/// POLICY_VIOLATION before anything is committed, so the node keeps serving and restarting.
/// </summary>
public sealed class PartitionLimitTests(ITestOutputHelper output) : EndToEndTest(output)
{
    [Fact]
    public async Task A_create_partitions_of_65535_is_refused_and_the_node_serves_and_restarts()
    {
        await using var broker = Watch(await E2EBroker.StartAsync());
        var topic = UniqueTopic("huge");
        await broker.CreateTopicAsync(topic, 1);
        using (var connection = await broker.ConnectAsync())
        {
            var result = await CreatePartitionsAsync(connection, topic, 65535, version: 0);
            Assert.Equal(((short)ErrorCode.PolicyViolation, "Unable to perform excessively large batch operation."), (result.ErrorCode, result.ErrorMessage));
            var created = await CreateTopicAsync(connection, UniqueTopic("huge-create"), 20000);
            Assert.Equal((short)ErrorCode.PolicyViolation, created.ErrorCode);
        }

        await broker.StopAsync();
        await broker.RestartAsync();
        await Clients.KcatAsync(broker, "x\n", "-P", "-t", topic);
        Assert.Contains($"topic \"{topic}\" with 1 partitions", (await Clients.KcatAsync(broker, null, "-L", "-t", topic)).Stdout);
    }

    [Fact]
    public async Task Partitions_past_max_broker_partitions_are_refused_and_those_within_it_are_created()
    {
        await using var broker = Watch(await E2EBroker.StartAsync("max.broker.partitions=10"));
        using var connection = await broker.ConnectAsync();
        var first = UniqueTopic("limit-a");
        Assert.Equal((short)ErrorCode.None, (await CreateTopicAsync(connection, first, 6)).ErrorCode);

        var refused = await CreateTopicAsync(connection, UniqueTopic("limit-b"), 5);
        Assert.Equal((short)ErrorCode.PolicyViolation, refused.ErrorCode);
        Assert.Contains("max.broker.partitions (10)", refused.ErrorMessage);

        Assert.Equal((short)ErrorCode.None, (await CreatePartitionsAsync(connection, first, 10, version: 3)).ErrorCode);
        var over = await CreatePartitionsAsync(connection, first, 11, version: 3);
        Assert.Equal((short)ErrorCode.PolicyViolation, over.ErrorCode);
        Assert.Contains($"topic \"{first}\" with 10 partitions", (await Clients.KcatAsync(broker, null, "-L", "-t", first)).Stdout);
    }

    private static async Task<CreatePartitionsResponse.CreatePartitionsTopicResult> CreatePartitionsAsync(KafkaConnection connection, string topic, int count, short version)
    {
        var response = await connection.RequestAsync<CreatePartitionsResponse>(new CreatePartitionsRequest
        {
            Topics = [new CreatePartitionsRequest.CreatePartitionsTopic { Name = topic, Count = count, Assignments = null }],
            TimeoutMs = 10000,
        }, version);
        return Assert.Single(response.Results);
    }

    private static async Task<CreateTopicsResponse.CreatableTopicResult> CreateTopicAsync(KafkaConnection connection, string topic, int partitions)
    {
        var response = await connection.RequestAsync<CreateTopicsResponse>(new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }],
        }, 7);
        return Assert.Single(response.Topics);
    }
}
