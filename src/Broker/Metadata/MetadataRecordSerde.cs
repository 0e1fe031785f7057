using Broker.Protocol;
using Broker.Protocol.Wire;

namespace Broker.Metadata;

/// <summary>A metadata record with the version it is (or was) written at.</summary>
public readonly record struct VersionedRecord(IKafkaMessage Record, short Version)
{
    public static VersionedRecord Latest(IKafkaMessage record) => new(record, record.HighestVersion);
}

/// <summary>
/// The value of each record in <c>__cluster_metadata</c>: frame version (unsigned varint, 1), record
/// type (unsigned varint), record version (unsigned varint), then the record itself. Keys are null.
/// </summary>
public static class MetadataRecordSerde
{
    public const int FrameVersion = 1;

    public static void Write(VersionedRecord record, KafkaWriter writer)
    {
        var type = ((IMetadataRecord)record.Record).RecordType;
        writer.WriteUnsignedVarint(FrameVersion);
        writer.WriteUnsignedVarint(type);
        writer.WriteUnsignedVarint(record.Version);
        record.Record.Write(writer, record.Version);
    }

    public static VersionedRecord Read(ReadOnlyMemory<byte> value)
    {
        var reader = new KafkaReader(value);
        var frame = reader.ReadUnsignedVarint();
        if (frame != FrameVersion)
            throw new MalformedMessageException($"Unknown metadata record frame version {frame}.");
        var type = (short)reader.ReadUnsignedVarint();
        var version = (short)reader.ReadUnsignedVarint();
        var record = MetadataRecordTypes.Create(type) ?? throw new MalformedMessageException($"Unknown metadata record type {type}.");
        record.Read(ref reader, version);
        return new VersionedRecord(record, version);
    }
}
