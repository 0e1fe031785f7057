namespace Broker.Protocol.Records;

/// <summary>Bounds-checked reads of the length-prefixed fields inside a record.</summary>
internal static class RecordFields
{
    public static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> src, scoped ref int position, int length, string what)
    {
        if (length > src.Length - position)
            throw new CorruptRecordException($"Record {what} length {length} exceeds the {src.Length - position} bytes left in the record.");
        var slice = src.Slice(position, length);
        position += length;
        return slice;
    }

    /// <summary>A varint length then that many bytes; length -1 is null.</summary>
    public static ReadOnlySpan<byte> ReadNullableBytes(ReadOnlySpan<byte> src, scoped ref int position, string what, out bool present)
    {
        int length = Varint.ReadVarint(src, ref position);
        present = length >= 0;
        if (length == -1)
            return default;
        if (length < -1)
            throw new CorruptRecordException($"Record {what} length {length} is negative.");
        return Take(src, ref position, length, what);
    }
}
