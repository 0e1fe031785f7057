using Broker.Broker.Tests.EndToEnd;
using Broker.Broker.Tests.Storage;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.Cli;

/// <summary>The executable's <c>topics</c> subcommands against a running broker, checked by what they print.</summary>
public sealed class TopicsCommandTests(SharedBroker shared, ITestOutputHelper output) : EndToEndTest(output), IClassFixture<SharedBroker>
{
    private readonly E2EBroker _broker = shared.Broker;

    [Fact]
    public async Task Create_describe_alter_and_delete_print_what_kafka_topics_prints()
    {
        Watch(_broker);
        var topic = UniqueTopic("cli");

        var created = await TopicsAsync("create", "--topic", topic, "--partitions", "3", "--replication-factor", "1", "--config", "retention.ms=5000", "--config", "cleanup.policy=compact");
        Assert.Equal($"Created topic {topic}.", created.Trim());
        Assert.Contains(topic, (await TopicsAsync("list")).Split('\n'));

        var described = (await TopicsAsync("describe", "--topic", topic)).TrimEnd('\n').Split('\n');
        Assert.Equal(4, described.Length);
        Assert.Matches($"^Topic: {topic}\tTopicId: [A-Za-z0-9_-]{{22}}\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: cleanup.policy=compact,retention.ms=5000$", described[0]);
        for (var p = 0; p < 3; p++)
            Assert.Equal($"\tTopic: {topic}\tPartition: {p}\tLeader: 1\tReplicas: 1\tIsr: 1", described[p + 1]);

        var altered = await TopicsAsync("alter-config", "--topic", topic, "--add-config", "segment.ms=60000,cleanup.policy=[compact,delete]", "--delete-config", "retention.ms");
        Assert.Equal($"Completed updating config for topic {topic}.", altered.Trim());
        Assert.EndsWith("Configs: cleanup.policy=compact,delete,segment.ms=60000", (await TopicsAsync("describe", "--topic", topic)).Split('\n')[0]);

        Assert.Contains("to 5", await TopicsAsync("alter", "--topic", topic, "--partitions", "5"));
        Assert.Contains("PartitionCount: 5", await TopicsAsync("describe", "--topic", topic));

        Assert.Equal($"Deleted topic {topic}.", (await TopicsAsync("delete", "--topic", topic)).Trim());
        Assert.DoesNotContain(topic, (await TopicsAsync("list")).Split('\n'));
    }

    [Fact]
    public async Task Describe_without_a_topic_describes_every_topic()
    {
        Watch(_broker);
        string first = UniqueTopic("cli-all"), second = UniqueTopic("cli-all");
        await _broker.CreateTopicAsync(first, 1);
        await _broker.CreateTopicAsync(second, 2);
        var described = await TopicsAsync("describe");
        Assert.Contains($"Topic: {first}\tTopicId:", described);
        Assert.Contains($"\tTopic: {second}\tPartition: 1\tLeader: 1", described);
    }

    [Theory]
    [InlineData("describe --topic {missing}", "Topic '{missing}' does not exist as expected")]
    [InlineData("delete --topic {missing}", "Topic '{missing}' does not exist as expected")]
    [InlineData("create --topic {existing}", "TOPIC_ALREADY_EXISTS")]
    [InlineData("create --topic bad/name", "INVALID_TOPIC_EXCEPTION")]
    [InlineData("create --topic {new} --config retention.ms=never", "INVALID_CONFIG: Invalid value never for configuration retention.ms")]
    [InlineData("create --topic {new} --replication-factor 3", "INVALID_REPLICATION_FACTOR")]
    [InlineData("alter-config --topic {existing} --add-config no.such.key=1", "INVALID_CONFIG")]
    [InlineData("alter-config --topic {missing} --add-config retention.ms=1", "UNKNOWN_TOPIC_OR_PARTITION")]
    [InlineData("alter --topic {existing} --partitions 1", "INVALID_PARTITIONS")]
    public async Task Refusals_exit_1_with_the_reason(string command, string expected)
    {
        Watch(_broker);
        var existing = UniqueTopic("cli-existing");
        await _broker.CreateTopicAsync(existing, 2);
        var names = new Dictionary<string, string> { ["{missing}"] = UniqueTopic("cli-missing"), ["{existing}"] = existing, ["{new}"] = UniqueTopic("cli-new") };
        string Fill(string text) => names.Aggregate(text, (t, n) => t.Replace(n.Key, n.Value));

        var (exitCode, stdout, stderr) = await RunAsync([.. Fill(command).Split(' '), "--bootstrap-server", _broker.Bootstrap]);

        Assert.True(exitCode == 1, $"exit code {exitCode}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        Assert.Contains($"Error while executing topic command : {Fill(expected)}", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public async Task If_exists_and_if_not_exists_make_the_refusals_quiet()
    {
        Watch(_broker);
        var topic = UniqueTopic("cli-quiet");
        await _broker.CreateTopicAsync(topic, 1);
        Assert.Equal(0, (await RunAsync("create", "--topic", topic, "--if-not-exists", "--bootstrap-server", _broker.Bootstrap)).ExitCode);
        Assert.Equal(0, (await RunAsync("delete", "--topic", UniqueTopic("cli-gone"), "--if-exists", "--bootstrap-server", _broker.Bootstrap)).ExitCode);
    }

    [Fact]
    public async Task An_unreachable_broker_is_a_clear_error()
    {
        var (exitCode, _, stderr) = await RunAsync("list", "--bootstrap-server", $"127.0.0.1:{FreePorts.Next()}");
        Assert.Equal(1, exitCode);
        Assert.Contains("Could not connect to any bootstrap server", stderr);
    }

    [Theory]
    [InlineData("topics")]
    [InlineData("topics", "list")]
    [InlineData("topics", "shuffle", "--bootstrap-server", "127.0.0.1:9")]
    [InlineData("topics", "create", "--bootstrap-server", "127.0.0.1:9")]
    [InlineData("topics", "create", "--topic", "t", "--partitions", "many", "--bootstrap-server", "127.0.0.1:9")]
    [InlineData("topics", "alter-config", "--topic", "t", "--add-config", "novalue", "--bootstrap-server", "127.0.0.1:9")]
    [InlineData("topics", "describe", "--under-replicated-partitions", "--unavailable-partitions", "--bootstrap-server", "127.0.0.1:9")]
    [InlineData("topics", "list", "--under-min-isr-partitions", "--bootstrap-server", "127.0.0.1:9")]
    public async Task Malformed_topics_command_lines_exit_2_with_the_topics_usage(params string[] args)
    {
        using var root = new TempDirectory();
        var (exitCode, _, stderr) = await BrokerProcess.RunAsync(root.Path, args);
        Assert.Equal(2, exitCode);
        Assert.Contains("Usage: Broker topics", stderr);
    }

    private async Task<string> TopicsAsync(params string[] args)
    {
        var (exitCode, stdout, stderr) = await RunAsync([.. args, "--bootstrap-server", _broker.Bootstrap]);
        Assert.True(exitCode == 0, $"topics {string.Join(' ', args)} exited {exitCode}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        return stdout;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var root = new TempDirectory();
        return await BrokerProcess.RunAsync(root.Path, ["topics", .. args]);
    }
}
