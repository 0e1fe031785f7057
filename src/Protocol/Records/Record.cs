namespace Broker.Protocol.Records;

/// <summary>
/// One record of a v2 batch, as slices of the (possibly decompressed) batch bytes. It lives only as
/// long as the iterator that produced it; copy out what must outlive it.
/// </summary>
public readonly ref struct Record
{
    internal Record(
        int sizeInBytes, sbyte attributes, long timestampDelta, int offsetDelta, long offset, long timestamp,
        ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, bool hasValue, RecordHeaders headers)
    {
        SizeInBytes = sizeInBytes;
        Attributes = attributes;
        TimestampDelta = timestampDelta;
        OffsetDelta = offsetDelta;
        Offset = offset;
        Timestamp = timestamp;
        Key = key;
        HasKey = hasKey;
        Value = value;
        HasValue = hasValue;
        Headers = headers;
    }

    /// <summary>Encoded size including the length varint in front.</summary>
    public int SizeInBytes { get; }

    /// <summary>Unused by Kafka so far; kept so tools can show what was sent.</summary>
    public sbyte Attributes { get; }
    public long TimestampDelta { get; }
    public int OffsetDelta { get; }

    /// <summary>Base offset of the batch plus <see cref="OffsetDelta"/>.</summary>
    public long Offset { get; }

    /// <summary>Base timestamp plus delta, or the batch's max timestamp when it carries LogAppendTime.</summary>
    public long Timestamp { get; }

    /// <summary>Empty when <see cref="HasKey"/> is false: a null key and an empty one differ in Kafka.</summary>
    public ReadOnlySpan<byte> Key { get; }
    public bool HasKey { get; }

    /// <summary>Empty when <see cref="HasValue"/> is false; a null value is a tombstone.</summary>
    public ReadOnlySpan<byte> Value { get; }
    public bool HasValue { get; }

    public RecordHeaders Headers { get; }
}
