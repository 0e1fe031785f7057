using System.Net;
using System.Net.Sockets;
using Broker.Broker.Tests.Cli;
using Broker.Broker.Tests.EndToEnd;
using Broker.Broker.Tests.Storage;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.Operations;

/// <summary>Liveness and readiness of one broker process, over HTTP as a Kubernetes probe asks.</summary>
public sealed class ReadinessTests(ITestOutputHelper output) : EndToEndTest(output)
{
    [Fact]
    public async Task A_started_broker_is_live_and_ready_with_a_json_body()
    {
        await using var broker = Watch(await E2EBroker.StartAsync());

        var live = await OperationsHttp.GetAsync("127.0.0.1", broker.HttpPort, "/healthz");
        Assert.True(live is { Status: HttpStatusCode.OK }, $"/healthz: {live}\n{broker.Logs}");
        Assert.Equal("ok", live.Json.GetProperty("status").GetString());

        var ready = await OperationsHttp.WaitForStatusAsync("127.0.0.1", broker.HttpPort, "/ready", HttpStatusCode.OK, () => broker.Logs);
        Assert.True(ready.Json.GetProperty("ready").GetBoolean());
        Assert.Equal(1, ready.Json.GetProperty("nodeId").GetInt32());
        Assert.Equal(0, ready.Json.GetProperty("reasons").GetArrayLength());

        var missing = await OperationsHttp.GetAsync("127.0.0.1", broker.HttpPort, "/no-such-page");
        Assert.Equal(HttpStatusCode.NotFound, missing?.Status);
    }

    [Fact]
    public async Task A_single_broker_is_never_safe_to_roll_while_it_holds_the_only_in_sync_replica()
    {
        await using var broker = Watch(await E2EBroker.StartAsync());
        await broker.CreateTopicAsync("only-copy", 2);

        var answer = await OperationsHttp.WaitForStatusAsync("127.0.0.1", broker.HttpPort, "/ready?safe-to-roll",
            HttpStatusCode.ServiceUnavailable, () => broker.Logs);
        var json = answer.Json;
        Assert.True(json.GetProperty("ready").GetBoolean(), answer.ToString());
        Assert.False(json.GetProperty("safeToRoll").GetBoolean());
        Assert.Equal(2, json.GetProperty("partitionsAtRisk").GetInt32());
        Assert.All(json.GetProperty("atRisk").EnumerateArray(), p => Assert.Equal("only-copy", p.GetProperty("topic").GetString()));
        Assert.Contains(json.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.Contains("min.insync.replicas", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_port_in_use_fails_the_start_with_one_line_naming_the_key()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var busy = ((IPEndPoint)holder.LocalEndpoint).Port;
        using var root = new TempDirectory();
        int port = FreePorts.Next(), controller = FreePorts.Next();
        using var node = BrokerProcess.Start(root.Path, null,
            "--override", $"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}",
            "--override", $"controller.quorum.voters=1@127.0.0.1:{controller}",
            "--override", $"metrics.http.listener=http://127.0.0.1:{busy}");

        Assert.Equal(1, await node.WaitForExitAsync());
        var failures = node.Stdout.Split('\n').Where(l => l.Contains("cannot listen", StringComparison.Ordinal)).ToArray();
        var line = Assert.Single(failures);
        Assert.Contains($"metrics.http.listener http://127.0.0.1:{busy}", line);
        Assert.Contains("address already in use", line);
        Assert.DoesNotContain("Node 1 started", node.Stdout);
        Assert.Contains($"error: node failed: metrics.http.listener http://127.0.0.1:{busy}", node.Stderr);
    }

    [Fact]
    public async Task An_empty_listener_turns_the_endpoint_off()
    {
        await using var broker = Watch(await E2EBroker.StartAsync("metrics.http.listener="));
        Assert.Contains("Operations HTTP endpoint off", broker.Logs);
        Assert.Null(await OperationsHttp.GetAsync("127.0.0.1", broker.HttpPort, "/healthz"));
    }
}
