namespace Broker.Protocol.Records;

/// <summary>
/// A key or value for <see cref="RecordBatchBuilder"/>: bytes, or null. Kafka tells a null key
/// (no partitioning key) and a null value (a tombstone) from empty ones, and a plain span cannot.
/// A span converts to present bytes; an array converts to null when it is null.
/// </summary>
public readonly ref struct NullableBytes
{
    private NullableBytes(ReadOnlySpan<byte> bytes, bool isNull)
    {
        Bytes = bytes;
        IsNull = isNull;
    }

    public static NullableBytes Null => new(default, isNull: true);

    public ReadOnlySpan<byte> Bytes { get; }
    public bool IsNull { get; }

    /// <summary>Length as a record encodes it: -1 for null.</summary>
    public int EncodedLength => IsNull ? -1 : Bytes.Length;

    public static implicit operator NullableBytes(ReadOnlySpan<byte> bytes) => new(bytes, isNull: false);
    public static implicit operator NullableBytes(byte[]? bytes) => new(bytes, isNull: bytes is null);
}
