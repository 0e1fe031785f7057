using Broker.Broker.Tests.Cli;
using Broker.Broker.Tests.EndToEnd;
using Broker.Broker.Tests.Storage;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.Cluster;

/// <summary>
/// A broker-only process next to a combined node: it follows __cluster_metadata as a Raft
/// observer of the quorum in controller.quorum.voters, registers over the network with the
/// active controller, is unfenced once caught up, and forwards metadata changes to it.
/// </summary>
public sealed class BrokerOnlyNodeTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private static string BrokerOnlyProperties(TempDirectory root, int port, E2EBroker controller) =>
        root.WriteFile("server.properties", string.Join("\n",
        [
            "process.roles=broker",
            "node.id=5",
            $"listeners=PLAINTEXT://127.0.0.1:{port}",
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            $"controller.quorum.voters=1@127.0.0.1:{controller.ControllerPort}",
            $"log.dirs={root.Sub("data")}",
            "metrics.http.listener=",
        ]) + "\n");

    /// <summary>The node's output is read asynchronously: wait for the line with a deadline.</summary>
    private static async Task LogsShowAsync(E2EBroker node, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!node.Logs.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"\"{text}\" not logged\n{node.Logs}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_broker_formatted_for_another_cluster_is_refused_by_the_controller_and_exits_with_a_clear_message()
    {
        await using var controller = Watch(await E2EBroker.StartAsync());
        using var root = new TempDirectory();
        var properties = BrokerOnlyProperties(root, FreePorts.Next(), controller);
        var otherCluster = global::Broker.Storage.ClusterId.Generate();
        using var broker = BrokerProcess.Start(root.Path, new Dictionary<string, string> { ["CLUSTER_ID"] = otherCluster }, properties);
        Assert.Equal(1, await broker.WaitForExitAsync());
        Assert.Contains("INCONSISTENT_CLUSTER_ID", broker.Stderr);
        Assert.Contains($"its cluster id is not {otherCluster}", broker.Stderr);
        await LogsShowAsync(controller, $"got cluster ID {otherCluster}");
    }

    [Fact]
    public async Task A_broker_only_node_follows_the_quorum_is_unfenced_and_forwards_create_topics_to_it()
    {
        await using var controller = Watch(await E2EBroker.StartAsync());
        using var connection = await controller.ConnectAsync();
        var clusterId = (await connection.RequestAsync<MetadataResponse>(new MetadataRequest { Topics = [] }, 12)).ClusterId!;

        using var root = new TempDirectory();
        var port = FreePorts.Next();
        var properties = BrokerOnlyProperties(root, port, controller);
        using var broker = BrokerProcess.Start(root.Path, new Dictionary<string, string> { ["CLUSTER_ID"] = clusterId }, properties);
        await broker.WaitForOutputAsync("Broker 5 is unfenced");
        await LogsShowAsync(controller, "Registered broker 5");
        var brokers = (await connection.RequestAsync<MetadataResponse>(new MetadataRequest { Topics = [] }, 12)).Brokers;
        Assert.Equal([1, 5], brokers.Select(b => b.NodeId));

        var topic = UniqueTopic("forwarded");
        using (var toBroker = await KafkaConnection.ConnectAsync(port))
        {
            var created = await toBroker.RequestAsync<CreateTopicsResponse>(new CreateTopicsRequest
            {
                Topics = [new CreateTopicsRequest.CreatableTopic { Name = topic, NumPartitions = 2, ReplicationFactor = 1 }],
            }, 7);
            var result = Assert.Single(created.Topics);
            Assert.True(result.ErrorCode == 0, $"{(ErrorCode)result.ErrorCode} {result.ErrorMessage}\n{broker.Stdout}{broker.Stderr}");
        }
        var seen = await connection.RequestAsync<MetadataResponse>(new MetadataRequest
        {
            Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }],
        }, 12);
        Assert.Equal(2, Assert.Single(seen.Topics).Partitions.Count);
        // The broker-only node learns the topic by following the metadata log, not from the controller's answer.
        using (var toBroker = await KafkaConnection.ConnectAsync(port))
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (true)
            {
                var fromBroker = await toBroker.RequestAsync<MetadataResponse>(new MetadataRequest
                {
                    Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }], AllowAutoTopicCreation = false,
                }, 12);
                if (fromBroker.Topics.Single().ErrorCode == 0)
                {
                    Assert.Equal(2, fromBroker.Topics.Single().Partitions.Count);
                    Assert.Equal([1, 5], fromBroker.Brokers.Select(b => b.NodeId).Order());
                    break;
                }
                Assert.True(DateTime.UtcNow < deadline, "the broker-only node never saw the topic");
                await Task.Delay(50);
            }
        }

        broker.SendSignal(BrokerProcess.SigTerm);
        Assert.Equal(0, await broker.WaitForExitAsync());
    }
}
