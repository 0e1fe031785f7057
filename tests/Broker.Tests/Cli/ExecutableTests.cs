using Broker.Broker.Tests.Storage;

namespace Broker.Broker.Tests.Cli;

/// <summary>The built executable end to end: subcommands, exit codes, start and graceful stop.</summary>
public class ExecutableTests
{
    [Fact]
    public async Task Random_uuid_prints_a_22_character_cluster_id()
    {
        using var root = new TempDirectory();
        var (exitCode, stdout, _) = await BrokerProcess.RunAsync(root.Path, "random-uuid");
        Assert.Equal(0, exitCode);
        Assert.Matches("^[A-Za-z0-9_-]{22}$", stdout.Trim());
    }

    [Fact]
    public async Task Format_then_start_then_sigterm_stops_cleanly()
    {
        using var root = new TempDirectory();
        var properties = WriteProperties(root);
        var (_, clusterId, _) = await BrokerProcess.RunAsync(root.Path, "random-uuid");

        var format = await BrokerProcess.RunAsync(root.Path, "format", "-t", clusterId.Trim(), "-c", properties);
        Assert.True(format.ExitCode == 0, format.Stderr);
        Assert.Contains("Formatting metadata directory", format.Stdout);
        Assert.Contains($"cluster.id={clusterId.Trim()}", File.ReadAllText(Path.Combine(root.Sub("data"), "meta.properties")));

        using var node = BrokerProcess.Start(root.Path, null, properties);
        await node.WaitForOutputAsync("Node 1 started");
        Assert.Contains(clusterId.Trim(), node.Stdout);
        Assert.Contains(root.Sub("data"), node.Stdout);
        node.SendSignal(BrokerProcess.SigTerm);
        Assert.Equal(0, await node.WaitForExitAsync());
        Assert.Contains("Node 1 stopped", node.Stdout);
    }

    [Fact]
    public async Task Ctrl_c_stops_the_zero_config_node_which_formatted_its_own_storage()
    {
        using var root = new TempDirectory();
        int broker = FreePorts.Next(), controller = FreePorts.Next();
        using var node = BrokerProcess.Start(root.Path, null,
            "--override", $"listeners=PLAINTEXT://127.0.0.1:{broker},CONTROLLER://127.0.0.1:{controller}",
            "--override", $"controller.quorum.voters=1@127.0.0.1:{controller}",
            "--override", "metrics.http.listener=");
        await node.WaitForOutputAsync("Node 1 started");
        Assert.Contains("dev mode", node.Stdout);
        Assert.True(File.Exists(Path.Combine(root.Sub("data"), "meta.properties")));
        node.SendSignal(BrokerProcess.SigInt);
        Assert.Equal(0, await node.WaitForExitAsync());
    }

    [Fact]
    public async Task Container_style_start_from_variables_formats_with_the_given_cluster_id()
    {
        using var root = new TempDirectory();
        int broker = FreePorts.Next(), controller = FreePorts.Next();
        var clusterId = global::Broker.Storage.ClusterId.Generate();
        using var node = BrokerProcess.Start(root.Path, new Dictionary<string, string>
        {
            ["KAFKA_PROCESS_ROLES"] = "broker,controller",
            ["KAFKA_NODE_ID"] = "4",
            ["KAFKA_LISTENERS"] = $"PLAINTEXT://127.0.0.1:{broker},CONTROLLER://127.0.0.1:{controller}",
            ["KAFKA_CONTROLLER_LISTENER_NAMES"] = "CONTROLLER",
            ["KAFKA_CONTROLLER_QUORUM_VOTERS"] = $"4@127.0.0.1:{controller}",
            ["KAFKA_LOG_DIRS"] = root.Sub("kafka-logs"),
            ["KAFKA_METRICS_HTTP_LISTENER"] = "",
            ["CLUSTER_ID"] = clusterId,
        });
        await node.WaitForOutputAsync("Node 4 started");
        Assert.DoesNotContain("dev mode", node.Stdout);
        Assert.Contains($"cluster.id={clusterId}", File.ReadAllText(Path.Combine(root.Sub("kafka-logs"), "meta.properties")));
        node.SendSignal(BrokerProcess.SigTerm);
        Assert.Equal(0, await node.WaitForExitAsync());
    }

    [Fact]
    public async Task Unwritable_log_dir_is_reported_not_thrown()
    {
        using var root = new TempDirectory();
        var (exitCode, _, stderr) = await BrokerProcess.RunAsync(root.Path, "--override", "log.dirs=/proc/broker-tests/data");
        Assert.Equal(1, exitCode);
        Assert.Contains("/proc/broker-tests", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public async Task Start_on_unformatted_storage_is_refused_with_the_format_command()
    {
        using var root = new TempDirectory();
        var properties = WriteProperties(root);
        var (exitCode, _, stderr) = await BrokerProcess.RunAsync(root.Path, properties);
        Assert.Equal(1, exitCode);
        Assert.Contains($"format -t <cluster-id> -c {properties}", stderr);
        Assert.False(File.Exists(Path.Combine(root.Sub("data"), "meta.properties")));
    }

    [Fact]
    public async Task Invalid_config_exits_non_zero_naming_the_key()
    {
        using var root = new TempDirectory();
        var properties = WriteProperties(root, "num.partitions=many");
        var (exitCode, _, stderr) = await BrokerProcess.RunAsync(root.Path, properties);
        Assert.Equal(1, exitCode);
        Assert.Contains("num.partitions", stderr);
        Assert.Contains("many", stderr);
    }

    [Fact]
    public async Task Override_wins_over_the_file_and_is_validated()
    {
        using var root = new TempDirectory();
        var properties = WriteProperties(root);
        var (exitCode, _, stderr) = await BrokerProcess.RunAsync(root.Path, properties, "--override", "node.id=9");
        Assert.Equal(1, exitCode);
        Assert.Contains("controller.quorum.voters", stderr);
        Assert.Contains("node.id 9", stderr);
    }

    [Fact]
    public async Task Formatting_twice_needs_ignore_formatted()
    {
        using var root = new TempDirectory();
        var properties = WriteProperties(root);
        var (_, clusterId, _) = await BrokerProcess.RunAsync(root.Path, "random-uuid");
        Assert.Equal(0, (await BrokerProcess.RunAsync(root.Path, "format", "-t", clusterId.Trim(), "-c", properties)).ExitCode);

        var again = await BrokerProcess.RunAsync(root.Path, "format", "-t", clusterId.Trim(), "-c", properties);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already formatted", again.Stderr);

        var ignored = await BrokerProcess.RunAsync(root.Path, "format", "-t", clusterId.Trim(), "-c", properties, "--ignore-formatted");
        Assert.Equal(0, ignored.ExitCode);
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("format", "-c", "x.properties")]
    [InlineData("random-uuid", "extra")]
    [InlineData("--override", "novalue")]
    public async Task Malformed_command_lines_exit_2_with_usage(params string[] args)
    {
        using var root = new TempDirectory();
        var (exitCode, _, stderr) = await BrokerProcess.RunAsync(root.Path, args);
        Assert.Equal(2, exitCode);
        Assert.Contains("Usage:", stderr);
    }

    [Fact]
    public async Task Missing_properties_file_is_named()
    {
        using var root = new TempDirectory();
        var (exitCode, _, stderr) = await BrokerProcess.RunAsync(root.Path, "nope.properties");
        Assert.Equal(1, exitCode);
        Assert.Contains("nope.properties", stderr);
    }

    private static string WriteProperties(TempDirectory root, params string[] extraLines)
    {
        int broker = FreePorts.Next(), controller = FreePorts.Next();
        var lines = new[]
        {
            "# a combined node on loopback",
            "process.roles=broker,controller",
            "node.id=1",
            $"listeners=PLAINTEXT://127.0.0.1:{broker},\\",
            $"    CONTROLLER://127.0.0.1:{controller}",
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            $"controller.quorum.voters=1@127.0.0.1:{controller}",
            $"log.dirs={root.Sub("data")}",
            "metrics.http.listener=",
        };
        return root.WriteFile("server.properties", string.Join("\n", lines.Concat(extraLines)) + "\n");
    }
}
