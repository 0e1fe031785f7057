using Broker.Broker.Tests.Cli;
using Broker.Broker.Tests.Storage;

namespace Broker.Broker.Tests.Cluster;

/// <summary>A node that does not fit the quorum or the cluster refuses to start: exit code 1 and a message naming the problem.</summary>
public sealed class QuorumConfigRefusalTests
{
    private static string Properties(TempDirectory root, string roles, int nodeId, string voters, bool controllerListener)
    {
        int broker = FreePorts.Next(), controller = FreePorts.Next();
        var listeners = controllerListener
            ? $"PLAINTEXT://127.0.0.1:{broker},CONTROLLER://127.0.0.1:{controller}"
            : $"PLAINTEXT://127.0.0.1:{broker}";
        return root.WriteFile("server.properties", string.Join("\n",
        [
            $"process.roles={roles}",
            $"node.id={nodeId}",
            $"listeners={listeners}",
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            $"controller.quorum.voters={voters.Replace("PORT", controller.ToString(System.Globalization.CultureInfo.InvariantCulture))}",
            $"log.dirs={root.Sub("data")}",
        ]) + "\n");
    }

    [Fact]
    public async Task A_controller_whose_node_id_is_not_a_voter_exits_with_a_clear_message()
    {
        using var root = new TempDirectory();
        var properties = Properties(root, "broker,controller", 4, "1@127.0.0.1:PORT,2@127.0.0.1:1,3@127.0.0.1:2", controllerListener: true);
        var (exitCode, _, stderr) = await BrokerProcess.RunAsync(root.Path, properties);
        Assert.Equal(1, exitCode);
        Assert.Contains("node.id 4 is not in controller.quorum.voters (voter ids 1,2,3)", stderr);
    }

    [Fact]
    public async Task A_broker_only_node_listed_as_a_voter_exits_with_a_clear_message()
    {
        using var root = new TempDirectory();
        var properties = Properties(root, "broker", 2, "1@127.0.0.1:PORT,2@127.0.0.1:1", controllerListener: false);
        var (exitCode, _, stderr) = await BrokerProcess.RunAsync(root.Path, properties);
        Assert.Equal(1, exitCode);
        Assert.Contains("node.id 2 is in controller.quorum.voters", stderr);
        Assert.Contains("just the 'broker' role", stderr);
    }

    [Fact]
    public async Task A_broker_only_node_must_not_listen_on_the_controller_listener()
    {
        using var root = new TempDirectory();
        var properties = Properties(root, "broker", 5, "1@127.0.0.1:PORT", controllerListener: true);
        var (exitCode, _, stderr) = await BrokerProcess.RunAsync(root.Path, properties);
        Assert.Equal(1, exitCode);
        Assert.Contains("must not hold controller listener CONTROLLER", stderr);
    }

    [Fact]
    public async Task Storage_of_another_cluster_is_refused_at_start()
    {
        using var root = new TempDirectory();
        var properties = Properties(root, "broker,controller", 1, "1@127.0.0.1:PORT", controllerListener: true);
        var (_, formatted, _) = await BrokerProcess.RunAsync(root.Path, "random-uuid");
        Assert.Equal(0, (await BrokerProcess.RunAsync(root.Path, "format", "-t", formatted.Trim(), "-c", properties)).ExitCode);

        var other = global::Broker.Storage.ClusterId.Generate();
        using var process = BrokerProcess.Start(root.Path, new Dictionary<string, string> { ["CLUSTER_ID"] = other }, properties);
        var exitCode = await process.WaitForExitAsync();
        Assert.NotEqual(0, exitCode);
        Assert.Contains($"belongs to cluster {formatted.Trim()}, not {other}", process.Stderr);
    }
}
