using System.Buffers.Binary;

namespace Broker.Protocol.Records;

/// <summary>
/// Walks concatenated record batches, validating each before yielding its bounds. Works with
/// <c>foreach</c>. A batch that fails validation throws; <see cref="ValidBytes"/> then tells how far
/// the buffer was sound, which is what log recovery truncates to.
/// </summary>
public ref struct RecordBatchWalker
{
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly bool _allowTruncatedTail;
    private readonly bool _verifyCrc;

    /// <param name="allowTruncatedTail">
    /// Treat an incomplete last batch as the end instead of an error: Fetch responses may end with a
    /// partial batch cut at the fetch size limit.
    /// </param>
    public RecordBatchWalker(ReadOnlySpan<byte> buffer, bool allowTruncatedTail = false, bool verifyCrc = true)
    {
        _buffer = buffer;
        _allowTruncatedTail = allowTruncatedTail;
        _verifyCrc = verifyCrc;
    }

    public RecordBatchBounds Current { get; private set; }

    public readonly ReadOnlySpan<byte> CurrentBatch => _buffer.Slice(Current.Position, Current.Length);

    /// <summary>Bytes covered by the batches yielded so far.</summary>
    public readonly int ValidBytes => Current.End;

    /// <summary>Set once the walk stopped at an incomplete trailing batch (only with allowTruncatedTail).</summary>
    public bool EndedWithTruncatedBatch { get; private set; }

    public readonly RecordBatchWalker GetEnumerator() => this;

    public bool MoveNext()
    {
        int position = Current.End;
        var rest = _buffer[position..];
        if (rest.IsEmpty)
            return false;

        // Only a cut batch may be tolerated; a nonsense length is corruption, since it cannot come from a cut.
        var status = RecordBatchValidator.Check(rest, _verifyCrc, out var size);
        if (status == RecordBatchStatus.Incomplete)
            return StopAtTruncated(position, rest.Length < RecordBatchLayout.LogOverhead
                ? $"{rest.Length} bytes are too few for a batch's offset and length."
                : $"it declares {BinaryPrimitives.ReadInt32BigEndian(rest[RecordBatchLayout.BatchLength..]) + (long)RecordBatchLayout.LogOverhead} bytes but {rest.Length} remain.");

        if (status != RecordBatchStatus.Valid)
            throw RecordBatchValidator.Describe(status, rest);
        Current = new RecordBatchBounds(position, size);
        return true;
    }

    private bool StopAtTruncated(int position, string why)
    {
        if (!_allowTruncatedTail)
            throw new CorruptRecordException($"Record batch at position {position} is truncated: {why}");
        EndedWithTruncatedBatch = true;
        return false;
    }
}
