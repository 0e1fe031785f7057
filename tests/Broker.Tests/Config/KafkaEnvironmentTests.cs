using Broker.Config;

namespace Broker.Broker.Tests.Config;

public class KafkaEnvironmentTests
{
    [Theory]
    [InlineData("KAFKA_NODE_ID", "node.id")]
    [InlineData("KAFKA_PROCESS_ROLES", "process.roles")]
    [InlineData("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "listener.security.protocol.map")]
    [InlineData("KAFKA_LOG_DIRS", "log.dirs")]
    [InlineData("KAFKA_SOME__UNDERSCORE", "some_underscore")]
    [InlineData("KAFKA_SOME___DASH", "some-dash")]
    [InlineData("KAFKA_A__B_C___D", "a_b.c-d")]
    public void Variable_names_map_like_the_apache_kafka_image(string variable, string key)
    {
        Assert.Equal(key, KafkaEnvironment.ToConfigKey(variable));
    }

    [Theory]
    [InlineData("KAFKA_HEAP_OPTS")]
    [InlineData("KAFKA_OPTS")]
    [InlineData("KAFKA_JMX_OPTS")]
    [InlineData("KAFKA_LOG4J_OPTS")]
    [InlineData("KAFKA_")]
    [InlineData("PATH")]
    [InlineData("kafka_node_id")]
    [InlineData("CLUSTER_ID")]
    public void Runtime_and_unrelated_variables_are_not_configuration(string variable)
    {
        Assert.Null(KafkaEnvironment.ToConfigKey(variable));
    }

    [Fact]
    public void Only_mapped_variables_become_configuration()
    {
        var config = KafkaEnvironment.ToConfig(new Dictionary<string, string>
        {
            ["KAFKA_NUM_PARTITIONS"] = "3",
            ["KAFKA_HEAP_OPTS"] = "-Xmx1G",
            ["HOME"] = "/root",
        });
        Assert.Equal(new Dictionary<string, string> { ["num.partitions"] = "3" }, config);
    }
}
