using System.Buffers.Binary;

namespace Broker.Protocol.Records;

/// <summary>The key every control record carries: version int16 (0) then type int16.</summary>
public static class ControlRecord
{
    public const int KeySize = 4;
    public const short CurrentKeyVersion = 0;

    public static void WriteKey(Span<byte> destination, ControlRecordType type)
    {
        BinaryPrimitives.WriteInt16BigEndian(destination, CurrentKeyVersion);
        BinaryPrimitives.WriteInt16BigEndian(destination[2..], (short)type);
    }

    /// <summary>
    /// The type named by a control record's key. Types this code does not know come back as their
    /// raw number; newer key versions are read as version 0, whose fields they keep (Kafka does the same).
    /// </summary>
    public static ControlRecordType ReadType(in Record record)
    {
        if (!record.HasKey)
            throw new CorruptRecordException("Control record has a null key.");
        var key = record.Key;
        if (key.Length < KeySize)
            throw new CorruptRecordException($"Control record key has {key.Length} bytes; it needs at least {KeySize}.");
        short version = BinaryPrimitives.ReadInt16BigEndian(key);
        if (version < 0)
            throw new CorruptRecordException($"Control record key version {version} is negative.");
        return (ControlRecordType)BinaryPrimitives.ReadInt16BigEndian(key[2..]);
    }
}
