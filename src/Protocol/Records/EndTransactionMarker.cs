using System.Buffers;
using System.Buffers.Binary;

namespace Broker.Protocol.Records;

/// <summary>
/// The commit or abort marker a transaction coordinator writes into each partition a transaction
/// touched: a control batch with one record whose value is version int16 (0) + coordinator epoch int32.
/// </summary>
public readonly record struct EndTransactionMarker(ControlRecordType Type, int CoordinatorEpoch)
{
    public const int ValueSize = 6;
    public const short CurrentValueVersion = 0;

    /// <summary>Writes a complete control batch holding this marker.</summary>
    public void WriteBatch(
        IBufferWriter<byte> destination, long producerId, short producerEpoch, long timestamp,
        long baseOffset = 0, int partitionLeaderEpoch = RecordBatchLayout.NoPartitionLeaderEpoch)
    {
        if (Type is not (ControlRecordType.Abort or ControlRecordType.Commit))
            throw new InvalidOperationException($"An end-transaction marker is Abort or Commit, not {Type}.");
        Span<byte> key = stackalloc byte[ControlRecord.KeySize];
        ControlRecord.WriteKey(key, Type);
        Span<byte> value = stackalloc byte[ValueSize];
        BinaryPrimitives.WriteInt16BigEndian(value, CurrentValueVersion);
        BinaryPrimitives.WriteInt32BigEndian(value[2..], CoordinatorEpoch);

        using var builder = new RecordBatchBuilder(initialCapacity: RecordBatchLayout.HeaderSize + 32)
        {
            BaseOffset = baseOffset,
            PartitionLeaderEpoch = partitionLeaderEpoch,
            ProducerId = producerId,
            ProducerEpoch = producerEpoch,
            IsTransactional = true,
            IsControl = true,
        };
        builder.Append(timestamp, key, value);
        builder.WriteTo(destination);
    }

    /// <summary>Reads the marker from the record of a control batch.</summary>
    public static EndTransactionMarker Read(in Record record)
    {
        var type = ControlRecord.ReadType(record);
        if (type is not (ControlRecordType.Abort or ControlRecordType.Commit))
            throw new CorruptRecordException($"Control record of type {type} is not an end-transaction marker.");
        if (!record.HasValue || record.Value.Length < ValueSize)
            throw new CorruptRecordException($"End-transaction marker value has {record.Value.Length} bytes; it needs at least {ValueSize}.");
        short version = BinaryPrimitives.ReadInt16BigEndian(record.Value);
        if (version < 0)
            throw new CorruptRecordException($"End-transaction marker version {version} is negative.");
        return new EndTransactionMarker(type, BinaryPrimitives.ReadInt32BigEndian(record.Value[2..]));
    }
}
