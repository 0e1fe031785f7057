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

/// <summary>OUT_OF_ORDER_SEQUENCE_NUMBER: an idempotent producer's batch does not follow the last one appended.</summary>
public sealed class OutOfOrderSequenceException : LogException
{
    public OutOfOrderSequenceException(string message) : base(message) { }
}

/// <summary>INVALID_PRODUCER_EPOCH: a batch from an epoch older than the producer's current one (a zombie).</summary>
public sealed class InvalidProducerEpochException : LogException
{
    public InvalidProducerEpochException(string message) : base(message) { }
}

/// <summary>INVALID_RECORD: a batch whose producer fields contradict each other (a producer id without a sequence).</summary>
public sealed class InvalidProducerBatchException : LogException
{
    public InvalidProducerBatchException(string message) : base(message) { }
}

/// <summary>INVALID_TXN_STATE: a transactional batch for which no transaction was begun through a coordinator.</summary>
public sealed class InvalidTxnStateException : LogException
{
    public InvalidTxnStateException(string message) : base(message) { }
}
