using Broker.Config;
using Broker.Broker.Tests.Storage;

namespace Broker.Broker.Tests.Config;

public class BrokerConfigLoaderTests
{
    private static readonly IReadOnlyDictionary<string, string> NoEnvironment = new Dictionary<string, string>();

    [Fact]
    public void No_file_and_no_variables_is_the_zero_config_dev_node()
    {
        var config = BrokerConfigLoader.Load(new BrokerConfigSources { Environment = new Dictionary<string, string> { ["PATH"] = "/bin" } });
        Assert.True(config.IsDevMode);
        Assert.Equal(1, config.NodeId);
        Assert.Equal(["./data"], config.LogDirs);
        Assert.Equal(ConfigOrigin.DevDefault, config.ExplicitSettings["node.id"].Origin);
        Assert.Equal("PLAINTEXT://localhost:9092, CONTROLLER://localhost:9093", string.Join(", ", config.Listeners));
        Assert.Equal([new QuorumVoter(1, "localhost", 9093)], config.QuorumVoters);
    }

    [Fact]
    public void Overrides_apply_on_top_of_the_dev_node()
    {
        var config = BrokerConfigLoader.Load(new BrokerConfigSources { Overrides = [new("num.partitions", "6")] });
        Assert.True(config.IsDevMode);
        Assert.Equal(6, config.NumPartitions);
    }

    [Fact]
    public void File_then_environment_then_overrides()
    {
        using var directory = new TempDirectory();
        var file = directory.WriteFile("server.properties",
            Properties(ConfigFixtures.Combined(("num.partitions", "2"), ("log.retention.hours", "10"), ("default.replication.factor", "2"))));
        var config = BrokerConfigLoader.Load(new BrokerConfigSources
        {
            PropertiesFile = file,
            Environment = new Dictionary<string, string> { ["KAFKA_NUM_PARTITIONS"] = "3", ["KAFKA_LOG_RETENTION_HOURS"] = "20" },
            Overrides = [new("num.partitions", "4")],
        });
        Assert.False(config.IsDevMode);
        Assert.Equal(4, config.NumPartitions);
        Assert.Equal(ConfigOrigin.Override, config.ExplicitSettings["num.partitions"].Origin);
        Assert.Equal(20L * 3_600_000, config.LogRetentionMs);
        Assert.Equal(ConfigOrigin.Environment, config.ExplicitSettings["log.retention.hours"].Origin);
        Assert.Equal(2, config.DefaultReplicationFactor);
        Assert.Equal(ConfigOrigin.PropertiesFile, config.ExplicitSettings["default.replication.factor"].Origin);
    }

    [Fact]
    public void Later_override_of_the_same_key_wins()
    {
        var config = BrokerConfigLoader.Load(new BrokerConfigSources { Overrides = [new("num.partitions", "2"), new("num.partitions", "5")] });
        Assert.Equal(5, config.NumPartitions);
    }

    [Fact]
    public void Variables_alone_configure_the_node_without_dev_defaults()
    {
        var environment = new Dictionary<string, string>
        {
            ["KAFKA_PROCESS_ROLES"] = "broker,controller",
            ["KAFKA_NODE_ID"] = "3",
            ["KAFKA_LISTENERS"] = "PLAINTEXT://:9092,CONTROLLER://:9093",
            ["KAFKA_CONTROLLER_LISTENER_NAMES"] = "CONTROLLER",
            ["KAFKA_CONTROLLER_QUORUM_VOTERS"] = "3@localhost:9093",
            ["KAFKA_LOG_DIRS"] = "/var/lib/kafka/data",
        };
        var config = BrokerConfigLoader.Load(new BrokerConfigSources { Environment = environment });
        Assert.False(config.IsDevMode);
        Assert.Equal(3, config.NodeId);
        Assert.Equal(3, config.OffsetsTopicReplicationFactor);

        environment.Remove("KAFKA_PROCESS_ROLES");
        var error = Assert.Throws<ConfigException>(() => BrokerConfigLoader.Load(new BrokerConfigSources { Environment = environment }));
        Assert.Equal("process.roles", error.Key);
    }

    [Fact]
    public void A_file_without_process_roles_is_refused_not_completed_with_dev_defaults()
    {
        using var directory = new TempDirectory();
        var file = directory.WriteFile("server.properties", Properties(ConfigFixtures.Combined(("process.roles", null))));
        var error = Assert.Throws<ConfigException>(() => BrokerConfigLoader.Load(new BrokerConfigSources { PropertiesFile = file, Environment = NoEnvironment }));
        Assert.Equal("process.roles", error.Key);
    }

    [Fact]
    public void Unreadable_file_is_reported_with_its_path()
    {
        using var directory = new TempDirectory();
        var file = directory.WriteFile("server.properties", "bad=\\u12");
        var error = Assert.Throws<ConfigException>(() => BrokerConfigLoader.Load(new BrokerConfigSources { PropertiesFile = file }));
        Assert.Contains(file, error.Message);
    }

    internal static string Properties(IReadOnlyDictionary<string, string> entries) =>
        string.Join("\n", entries.Select(e => $"{e.Key}={e.Value}")) + "\n";
}
