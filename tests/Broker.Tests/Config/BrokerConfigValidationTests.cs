using Broker.Config;

namespace Broker.Broker.Tests.Config;

public class BrokerConfigValidationTests
{
    [Fact]
    public void Dev_defaults_are_valid()
    {
        var config = ConfigFixtures.Build();
        Assert.Equal(1, config.NodeId);
    }

    [Theory]
    [InlineData("num.partitions", "abc", "Not a number of type INT")]
    [InlineData("num.partitions", "0", "at least 1")]
    [InlineData("log.retention.bytes", "1.5", "Not a number of type LONG")]
    [InlineData("auto.create.topics.enable", "yes", "true or false")]
    [InlineData("log.segment.bytes", "1000", "at least 1048576")]
    [InlineData("log.cleaner.min.cleanable.ratio", "1.5", "between 0 and 1")]
    [InlineData("compression.type", "brotli", "must be one of")]
    [InlineData("log.message.timestamp.type", "createtime", "must be one of")]
    [InlineData("offsets.topic.replication.factor", "40000", "SHORT")]
    [InlineData("node.id", "1.0", "INT")]
    public void Bad_values_name_the_key_and_the_reason(string key, string value, string reason)
    {
        var error = ConfigFixtures.Invalid((key, value));
        Assert.Equal(key, error.Key);
        Assert.Contains(key, error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Process_roles_is_required()
    {
        var error = ConfigFixtures.Invalid(("process.roles", null));
        Assert.Equal("process.roles", error.Key);
        Assert.Contains("required", error.Message);
    }

    [Theory]
    [InlineData("zookeeper")]
    [InlineData("broker,broker")]
    [InlineData("")]
    public void Process_roles_must_be_broker_and_or_controller_once(string value)
    {
        Assert.Equal("process.roles", ConfigFixtures.Invalid(("process.roles", value)).Key);
    }

    [Fact]
    public void Node_id_is_required_in_kraft_mode()
    {
        var error = ConfigFixtures.Invalid(("node.id", null));
        Assert.Equal("node.id", error.Key);
        Assert.Contains("required", error.Message);
    }

    [Fact]
    public void Listener_without_a_security_protocol_is_refused()
    {
        var error = ConfigFixtures.Invalid(("listeners", "PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093,INTERNAL://localhost:9094"));
        Assert.Equal("listeners", error.Key);
        Assert.Contains("INTERNAL", error.Message);
        Assert.Contains("listener.security.protocol.map", error.Message);
    }

    [Fact]
    public void Controller_listener_name_missing_from_an_explicit_map_is_refused()
    {
        var error = ConfigFixtures.Invalid(
            ("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT"));
        Assert.Contains("CONTROLLER", error.Message);
        Assert.Contains("listener.security.protocol.map", error.Message);
    }

    [Fact]
    public void Unknown_security_protocol_in_the_map_is_refused()
    {
        var error = ConfigFixtures.Invalid(("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:TLS"));
        Assert.Equal("listener.security.protocol.map", error.Key);
        Assert.Contains("TLS", error.Message);
    }

    [Fact]
    public void Security_protocols_not_served_yet_are_refused_up_front()
    {
        var error = ConfigFixtures.Invalid(
            ("listeners", "SSL://localhost:9092,CONTROLLER://localhost:9093"),
            ("listener.security.protocol.map", "SSL:SSL,CONTROLLER:PLAINTEXT"),
            ("inter.broker.listener.name", "SSL"));
        Assert.Equal("listener.security.protocol.map", error.Key);
        Assert.Contains("does not support", error.Message);
    }

    [Fact]
    public void Controller_must_listen_on_a_controller_listener()
    {
        var error = ConfigFixtures.Invalid(("listeners", "PLAINTEXT://localhost:9092"));
        Assert.Equal("listeners", error.Key);
        Assert.Contains("controller.listener.names", error.Message);
    }

    [Fact]
    public void Controller_listener_names_is_required()
    {
        Assert.Equal("controller.listener.names", ConfigFixtures.Invalid(("controller.listener.names", null)).Key);
    }

    [Fact]
    public void Controller_only_node_listens_only_on_controller_listeners()
    {
        var error = ConfigFixtures.Invalid(("process.roles", "controller"));
        Assert.Equal("listeners", error.Key);
        var valid = ConfigFixtures.Build(("process.roles", "controller"), ("listeners", "CONTROLLER://localhost:9093"));
        Assert.Equal(ProcessRoles.Controller, valid.Roles);
    }

    [Fact]
    public void Broker_only_node_must_not_listen_on_a_controller_listener()
    {
        var error = ConfigFixtures.Invalid(("process.roles", "broker"), ("node.id", "2"));
        Assert.Equal("listeners", error.Key);
        var valid = ConfigFixtures.Build(("process.roles", "broker"), ("node.id", "2"), ("listeners", "PLAINTEXT://localhost:9092"));
        Assert.False(valid.IsController);
    }

    [Fact]
    public void Controller_node_id_must_be_a_voter()
    {
        var error = ConfigFixtures.Invalid(("node.id", "2"));
        Assert.Equal("controller.quorum.voters", error.Key);
        Assert.Contains("node.id 2", error.Message);
    }

    [Fact]
    public void Broker_only_node_need_not_be_a_voter()
    {
        var config = ConfigFixtures.Build(("process.roles", "broker"), ("node.id", "7"), ("listeners", "PLAINTEXT://localhost:9092"));
        Assert.Equal(7, config.NodeId);
    }

    [Fact]
    public void Some_quorum_must_be_configured()
    {
        Assert.Equal("controller.quorum.voters", ConfigFixtures.Invalid(("controller.quorum.voters", null)).Key);
        var dynamic = ConfigFixtures.Build(("controller.quorum.voters", null), ("controller.quorum.bootstrap.servers", "localhost:9093"));
        Assert.Equal("localhost", dynamic.QuorumBootstrapServers[0].Host);
    }

    [Theory]
    [InlineData("1@localhost")]
    [InlineData("localhost:9093")]
    [InlineData("x@localhost:9093")]
    [InlineData("1@localhost:9093,1@other:9093")]
    [InlineData("1@::1:9093")]
    public void Malformed_voters_are_refused(string voters)
    {
        Assert.Equal("controller.quorum.voters", ConfigFixtures.Invalid(("controller.quorum.voters", voters)).Key);
    }

    [Theory]
    [InlineData("localhost:9092")]
    [InlineData("PLAINTEXT://localhost")]
    [InlineData("PLAINTEXT://localhost:70000")]
    public void Malformed_listeners_are_refused(string listeners)
    {
        Assert.Equal("listeners", ConfigFixtures.Invalid(("listeners", listeners)).Key);
    }

    [Fact]
    public void Listener_names_and_ports_must_be_unique()
    {
        Assert.Contains("used twice", ConfigFixtures.Invalid(("listeners", "PLAINTEXT://a:1,PLAINTEXT://b:2,CONTROLLER://c:3")).Message);
        Assert.Contains("Port 9092", ConfigFixtures.Invalid(("listeners", "PLAINTEXT://a:9092,CONTROLLER://b:9092")).Message);
        var dualStack = ConfigFixtures.Build(
            ("listeners", "PLAINTEXT://127.0.0.1:9092,V6://[::1]:9092,CONTROLLER://localhost:9093"),
            ("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,V6:PLAINTEXT,CONTROLLER:PLAINTEXT"));
        Assert.Equal(3, dualStack.Listeners.Count);
    }

    [Fact]
    public void Advertised_listeners_must_be_routable_and_known()
    {
        Assert.Contains("non-routable", ConfigFixtures.Invalid(("advertised.listeners", "PLAINTEXT://0.0.0.0:9092")).Message);
        var unknown = ConfigFixtures.Invalid(("advertised.listeners", "OTHER://host:9092"),
            ("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,OTHER:PLAINTEXT"));
        Assert.Equal("advertised.listeners", unknown.Key);
        Assert.Contains("not in listeners", unknown.Message);
    }

    [Fact]
    public void Inter_broker_listener_must_be_an_advertised_broker_listener()
    {
        var renamed = ConfigFixtures.Invalid(
            ("listeners", "INTERNAL://localhost:9092,CONTROLLER://localhost:9093"),
            ("listener.security.protocol.map", "INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT"));
        Assert.Equal("security.inter.broker.protocol", renamed.Key);
        Assert.Contains("inter.broker.listener.name", renamed.Message);

        Assert.Equal("inter.broker.listener.name", ConfigFixtures.Invalid(("inter.broker.listener.name", "CONTROLLER")).Key);
        Assert.Equal("inter.broker.listener.name",
            ConfigFixtures.Invalid(("inter.broker.listener.name", "PLAINTEXT"), ("security.inter.broker.protocol", "PLAINTEXT")).Key);
    }

    [Fact]
    public void Log_dirs_must_be_distinct_and_non_empty()
    {
        Assert.Equal("log.dirs", ConfigFixtures.Invalid(("log.dirs", "/a,/a")).Key);
        Assert.Equal("log.dirs", ConfigFixtures.Invalid(("log.dirs", "/a,,/b")).Key);
        Assert.Equal("log.dirs", ConfigFixtures.Invalid(("log.dirs", " ")).Key);
    }
}
