using Broker.Broker.Tests.Cli;
using Broker.Broker.Tests.EndToEnd;
using Broker.Broker.Tests.Storage;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Broker.Tests.Cluster;

/// <summary>
/// process.roles=controller: the node serves only its controller listener, registers no broker of
/// its own, and places replicas on the brokers that register with it.
/// </summary>
public sealed class ControllerOnlyNodeTests
{
    [Fact]
    public async Task A_controller_only_node_accepts_broker_registrations_and_places_topics_on_those_brokers()
    {
        using var root = new TempDirectory();
        var port = FreePorts.Next();
        var properties = root.WriteFile("server.properties", string.Join("\n",
        [
            "process.roles=controller",
            "node.id=1",
            $"listeners=CONTROLLER://127.0.0.1:{port}",
            "controller.listener.names=CONTROLLER",
            $"controller.quorum.voters=1@127.0.0.1:{port}",
            $"log.dirs={root.Sub("data")}",
            "metrics.http.listener=",
        ]) + "\n");
        var clusterId = global::Broker.Storage.ClusterId.Generate();
        using var node = BrokerProcess.Start(root.Path, new Dictionary<string, string> { ["CLUSTER_ID"] = clusterId }, properties);
        await node.WaitForOutputAsync("Node 1 started");
        string Logs() => $"stdout:\n{node.Stdout}\nstderr:\n{node.Stderr}";

        using var connection = await KafkaConnection.ConnectAsync(port);
        var noBrokers = await connection.RequestAsync<CreateTopicsResponse>(new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = "early", NumPartitions = 1, ReplicationFactor = 1 }],
        }, 7);
        Assert.Equal((short)ErrorCode.InvalidReplicationFactor, Assert.Single(noBrokers.Topics).ErrorCode);

        await using var two = await FakeBroker.StartAsync(port, Logs, clusterId, 2, rack: "a");
        await using var three = await FakeBroker.StartAsync(port, Logs, clusterId, 3, rack: "b");
        var created = await connection.RequestAsync<CreateTopicsResponse>(new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = "placed", NumPartitions = 4, ReplicationFactor = 2 }],
        }, 7);
        var result = Assert.Single(created.Topics);
        Assert.True(result.ErrorCode == 0, $"{(ErrorCode)result.ErrorCode} {result.ErrorMessage}\n{Logs()}");
        Assert.Equal((4, (short)2), (result.NumPartitions, result.ReplicationFactor));

        var described = await connection.RequestAsync<DescribeClusterResponse>(new DescribeClusterRequest { EndpointType = 2 }, 1);
        Assert.Equal(1, Assert.Single(described.Brokers).BrokerId);
        Assert.DoesNotContain("Broker 1 registered", node.Stdout);
    }
}
