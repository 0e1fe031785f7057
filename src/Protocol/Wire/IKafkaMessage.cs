namespace Broker.Protocol.Wire;

/// <summary>A generated message type: reads and writes itself at any version it declares.</summary>
public interface IKafkaMessage
{
    short LowestVersion { get; }
    short HighestVersion { get; }
    void Read(ref KafkaReader reader, short version);
    void Write(KafkaWriter writer, short version);
}

/// <summary>A request or response body of a Kafka API.</summary>
public interface IApiMessage : IKafkaMessage
{
    short ApiKey { get; }
}

/// <summary>A KRaft metadata record; its type id leads its frame in <c>__cluster_metadata</c>.</summary>
public interface IMetadataRecord : IKafkaMessage
{
    short RecordType { get; }
}
