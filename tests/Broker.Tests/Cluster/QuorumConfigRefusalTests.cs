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
            "metrics.http.listener=",
        ]) + "\n");
    }

    [Theory]
    [InlineData("controller not a voter", "broker,controller", 4, "1@127.0.0.1:PORT,2@127.0.0.1:1,3@127.0.0.1:2", true,
        "node.id 4 is not in controller.quorum.voters (voter ids 1,2,3)")]
    [InlineData("broker-only voter", "broker", 2, "1@127.0.0.1:PORT,2@127.0.0.1:1", false,
        "node.id 2 is in controller.quorum.voters (voter ids 1,2): if process.roles contains just the 'broker' role")]
    [InlineData("broker-only on the controller listener", "broker", 5, "1@127.0.0.1:PORT", true,
        "must not hold controller listener CONTROLLER")]
    public async Task A_node_that_does_not_fit_the_quorum_exits_with_a_clear_message(
        string purpose, string roles, int nodeId, string voters, bool controllerListener, string message)
    {
        using var root = new TempDirectory();
        var (exitCode, _, stderr) = await BrokerProcess.RunAsync(root.Path, Properties(root, roles, nodeId, voters, controllerListener));
        Assert.True(exitCode == 1, $"{purpose}: exit code {exitCode}\n{stderr}");
        Assert.Contains(message, stderr);
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
