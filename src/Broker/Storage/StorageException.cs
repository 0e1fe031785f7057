namespace Broker.Storage;

/// <summary>The log directories cannot be used as they are; the message says what to do.</summary>
public sealed class StorageException(string message) : Exception(message);
