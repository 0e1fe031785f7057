namespace Broker.Config;

/// <summary>
/// The zero-config single node: a combined broker and controller on localhost, data under
/// ./data. The internal topics get replication factor 1 because one node cannot host three
/// replicas, and the first rebalance is not delayed because nobody else is coming.
/// </summary>
public static class DevDefaults
{
    public static IReadOnlyDictionary<string, string> Properties { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["process.roles"] = "broker,controller",
        ["node.id"] = "1",
        ["listeners"] = "PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093",
        ["controller.listener.names"] = "CONTROLLER",
        ["listener.security.protocol.map"] = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        ["controller.quorum.voters"] = "1@localhost:9093",
        ["log.dirs"] = "./data",
        ["offsets.topic.replication.factor"] = "1",
        ["transaction.state.log.replication.factor"] = "1",
        ["transaction.state.log.min.isr"] = "1",
        ["group.initial.rebalance.delay.ms"] = "0",
        // Like the Kafka listeners, the operations endpoint stays on this machine in dev mode.
        ["metrics.http.listener"] = "http://localhost:9644",
    };
}
