namespace Broker.Protocol.Records;

/// <summary>
/// Byte offsets of the record batch v2 header (magic 2), as it sits on the wire and on disk.
/// The CRC32C covers everything from <see cref="Attributes"/> to the end of the batch, which is why
/// the broker can patch the base offset and partition leader epoch without recomputing it.
/// </summary>
public static class RecordBatchLayout
{
    public const int BaseOffset = 0;
    public const int BatchLength = 8;
    public const int PartitionLeaderEpoch = 12;
    public const int Magic = 16;
    public const int Crc = 17;
    public const int Attributes = 21;
    public const int LastOffsetDelta = 23;
    public const int BaseTimestamp = 27;
    public const int MaxTimestamp = 35;
    public const int ProducerId = 43;
    public const int ProducerEpoch = 51;
    public const int BaseSequence = 53;
    public const int RecordsCount = 57;
    public const int HeaderSize = 61;

    /// <summary>Bytes before the batch-length field's coverage: base offset and the length itself.</summary>
    public const int LogOverhead = 12;

    public const byte CurrentMagic = 2;

    public const short CompressionMask = 0x07;
    public const short TimestampTypeFlag = 0x08;
    public const short TransactionalFlag = 0x10;
    public const short ControlFlag = 0x20;
    public const short DeleteHorizonFlag = 0x40;

    public const long NoProducerId = -1;
    public const short NoProducerEpoch = -1;
    public const int NoSequence = -1;
    public const int NoPartitionLeaderEpoch = -1;
    public const long NoTimestamp = -1;
}
