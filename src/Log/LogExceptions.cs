namespace Broker.Log;

/// <summary>Base of the errors the log raises; each subclass maps to one Kafka error code.</summary>
public class LogException : Exception
{
    public LogException(string message) : base(message) { }
    public LogException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>OFFSET_OUT_OF_RANGE: an offset below the log start offset or above the log end offset.</summary>
public sealed class OffsetOutOfRangeException : LogException
{
    public OffsetOutOfRangeException(string message) : base(message) { }
}

/// <summary>MESSAGE_TOO_LARGE: the batches cannot fit in one segment of <c>segment.bytes</c>.</summary>
public sealed class RecordBatchTooLargeException : LogException
{
    public RecordBatchTooLargeException(string message) : base(message) { }
}

/// <summary>
/// A replica was handed batches whose offsets start below its log end offset, or go backwards;
/// the caller must truncate before appending.
/// </summary>
public sealed class UnexpectedAppendOffsetException : LogException
{
    public UnexpectedAppendOffsetException(string message, long firstOffset, long lastOffset) : base(message)
    {
        FirstOffset = firstOffset;
        LastOffset = lastOffset;
    }

    public long FirstOffset { get; }
    public long LastOffset { get; }
}

/// <summary>KAFKA_STORAGE_ERROR: a checkpoint or index file on disk cannot be understood.</summary>
public sealed class CorruptLogFileException : LogException
{
    public CorruptLogFileException(string path, string problem) : base($"{path}: {problem}") => Path = path;

    public string Path { get; }
}
