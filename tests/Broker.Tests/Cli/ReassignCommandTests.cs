using Broker.Broker.Tests.EndToEnd;
using Broker.Broker.Tests.Storage;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.Cli;

/// <summary>The executable's <c>reassign</c> command (kafka-reassign-partitions.sh's shape) against a running broker.</summary>
public sealed class ReassignCommandTests(SharedBroker shared, ITestOutputHelper output) : EndToEndTest(output), IClassFixture<SharedBroker>
{
    private readonly E2EBroker _broker = shared.Broker;

    private async Task<(int ExitCode, string Stdout, string Stderr)> ReassignAsync(TempDirectory root, params string[] args) =>
        await BrokerProcess.RunAsync(root.Path, ["reassign", .. args, "--bootstrap-server", _broker.Bootstrap]);

    [Fact]
    public async Task Generate_execute_verify_and_cancel_use_kafkas_json_files_and_wording()
    {
        Watch(_broker);
        using var root = new TempDirectory();
        var topic = UniqueTopic("reassign");
        await _broker.CreateTopicAsync(topic, 2);
        var topicsFile = Path.Combine(root.Path, "topics.json");
        await File.WriteAllTextAsync(topicsFile, $$"""{"version":1,"topics":[{"topic":"{{topic}}"}]}""");

        var generated = await ReassignAsync(root, "--generate", "--topics-to-move-json-file", topicsFile, "--broker-list", "1");
        Assert.True(generated.ExitCode == 0, generated.Stderr);
        var lines = generated.Stdout.Split('\n');
        Assert.Equal("Current partition replica assignment", lines[0]);
        Assert.Equal("Proposed partition reassignment configuration", lines[3]);
        var plan = $$"""{"version":1,"partitions":[{"topic":"{{topic}}","partition":0,"replicas":[1],"log_dirs":["any"]},{"topic":"{{topic}}","partition":1,"replicas":[1],"log_dirs":["any"]}]}""";
        Assert.Equal(plan, lines[4]);

        var planFile = Path.Combine(root.Path, "plan.json");
        await File.WriteAllTextAsync(planFile, plan);
        var executed = await ReassignAsync(root, "--execute", "--reassignment-json-file", planFile);
        Assert.True(executed.ExitCode == 0, executed.Stderr);
        Assert.Contains("Save this to use as the --reassignment-json-file option during rollback", executed.Stdout);
        Assert.Contains($"Successfully started partition reassignments for {topic}-0,{topic}-1", executed.Stdout);

        var verified = await ReassignAsync(root, "--verify", "--reassignment-json-file", planFile);
        Assert.Equal(0, verified.ExitCode);
        Assert.Contains($"Reassignment of partition {topic}-0 is completed.", verified.Stdout);
        Assert.Contains($"Reassignment of partition {topic}-1 is completed.", verified.Stdout);

        var cancelled = await ReassignAsync(root, "--cancel", "--reassignment-json-file", planFile);
        Assert.Equal(1, cancelled.ExitCode);
        Assert.Contains($"{topic}-0: NO_REASSIGNMENT_IN_PROGRESS", cancelled.Stderr);

        await File.WriteAllTextAsync(planFile, $$"""{"version":1,"partitions":[{"topic":"{{topic}}","partition":0,"replicas":[7]}]}""");
        var refused = await ReassignAsync(root, "--execute", "--reassignment-json-file", planFile);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"{topic}-0: INVALID_REPLICA_ASSIGNMENT", refused.Stderr);
    }

    [Theory]
    [InlineData("reassign")]
    [InlineData("reassign", "--execute", "--verify", "--reassignment-json-file", "f", "--bootstrap-server", "127.0.0.1:9")]
    [InlineData("reassign", "--generate", "--topics-to-move-json-file", "f", "--bootstrap-server", "127.0.0.1:9")]
    public async Task Malformed_reassign_command_lines_exit_2_with_the_usage(params string[] args)
    {
        using var root = new TempDirectory();
        var (exitCode, _, stderr) = await BrokerProcess.RunAsync(root.Path, args);
        Assert.Equal(2, exitCode);
        Assert.Contains("Usage: Broker reassign", stderr);
    }
}
