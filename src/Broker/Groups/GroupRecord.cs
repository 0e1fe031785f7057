namespace Broker.Groups;

/// <summary>One record for __consumer_offsets: a serialized key and value (null value: a tombstone).</summary>
public readonly record struct GroupRecord(byte[] Key, byte[]? Value);
