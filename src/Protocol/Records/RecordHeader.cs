namespace Broker.Protocol.Records;

/// <summary>One record header: a UTF-8 key and a value that may be null.</summary>
public readonly ref struct RecordHeader
{
    internal RecordHeader(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool hasValue)
    {
        Key = key;
        Value = value;
        HasValue = hasValue;
    }

    /// <summary>UTF-8 bytes of the key.</summary>
    public ReadOnlySpan<byte> Key { get; }
    public ReadOnlySpan<byte> Value { get; }
    public bool HasValue { get; }
}
