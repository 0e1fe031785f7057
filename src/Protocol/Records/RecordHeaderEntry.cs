namespace Broker.Protocol.Records;

/// <summary>A header to write with <see cref="RecordBatchBuilder"/>; the key is stored as UTF-8.</summary>
public readonly record struct RecordHeaderEntry(string Key, byte[]? Value);
