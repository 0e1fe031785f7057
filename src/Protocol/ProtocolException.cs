namespace Broker.Protocol;

/// <summary>Base of every error raised while decoding or encoding Kafka wire data.</summary>
public class ProtocolException : Exception
{
    public ProtocolException(string message) : base(message) { }
    public ProtocolException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// The bytes do not form a valid message: truncated, a length that points past the end,
/// a negative size where none is allowed. The connection that sent them cannot be trusted
/// to be in sync any more.
/// </summary>
public sealed class MalformedMessageException : ProtocolException
{
    public MalformedMessageException(string message) : base(message) { }
}

/// <summary>A message or field was asked for at a version that does not define it.</summary>
public sealed class UnsupportedVersionException : ProtocolException
{
    public UnsupportedVersionException(string message) : base(message) { }
}

/// <summary>A record batch failed validation (CRC mismatch, bad magic, inconsistent lengths).</summary>
public sealed class CorruptRecordException : ProtocolException
{
    public CorruptRecordException(string message) : base(message) { }
    public CorruptRecordException(string message, Exception inner) : base(message, inner) { }
}
