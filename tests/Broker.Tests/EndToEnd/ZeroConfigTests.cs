using System.Net;
using System.Net.Sockets;
using Broker.Broker.Tests.Cli;
using Broker.Broker.Tests.Storage;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>A fact that is skipped, saying why, when something else on this machine holds the given loopback ports.</summary>
public sealed class FactWhenLoopbackPortsFreeAttribute : FactAttribute
{
    public FactWhenLoopbackPortsFreeAttribute(params int[] ports)
    {
        var busy = ports.Where(p => !IsFree(p)).ToArray();
        if (busy.Length > 0)
            Skip = $"port(s) {string.Join(", ", busy)} on localhost are in use by another process; the zero-config node needs them";
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>What `dotnet run --project src/Broker` gives a developer: no arguments, localhost:9092, data in ./data.</summary>
public sealed class ZeroConfigTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const string Bootstrap = "localhost:9092";

    [FactWhenLoopbackPortsFree(9092, 9093, 9644)]
    public async Task A_node_started_without_arguments_serves_kcat_on_localhost_9092()
    {
        using var cwd = new TempDirectory();
        using var node = BrokerProcess.Start(cwd.Path, null);
        await node.WaitForOutputAsync("Node 1 started");
        try
        {
            var listing = await KcatAsync(node, null, "-L");
            Assert.Contains("broker 1 at localhost:9092", listing.Stdout);

            await KcatAsync(node, "hello\nworld\n", "-P", "-t", "zero-config");
            var consumed = Clients.ParseKcatJson(await KcatAsync(node, null, "-C", "-t", "zero-config", "-e", "-J", "-q"));
            Assert.Equal([(0L, "hello"), (1L, "world")], consumed.Select(c => (c.Offset, c.Value!)));

            node.SendSignal(BrokerProcess.SigTerm);
            Assert.Equal(0, await node.WaitForExitAsync());
            Assert.True(File.Exists(Path.Combine(cwd.Sub("data"), "meta.properties")));
            Assert.True(Directory.Exists(Path.Combine(cwd.Sub("data"), "zero-config-0")));
        }
        finally
        {
            Output.WriteLine($"node stdout:\n{node.Stdout}\nnode stderr:\n{node.Stderr}");
        }
    }

    private static async Task<ClientResult> KcatAsync(BrokerProcess node, string? stdin, params string[] args)
    {
        var result = await ClientProcess.RunAsync("kcat", ["-b", Bootstrap, .. args], stdin);
        return result.ExitCode == 0 ? result : throw new Xunit.Sdk.XunitException($"{result}\nbroker stdout:\n{node.Stdout}\nbroker stderr:\n{node.Stderr}");
    }
}
