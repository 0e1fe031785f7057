namespace Broker.Protocol.Records;

/// <summary>
/// The headers of one record, already bounds-checked by the iterator, enumerated straight from the
/// record bytes without allocating.
/// </summary>
public readonly ref struct RecordHeaders
{
    private readonly ReadOnlySpan<byte> _encoded;

    internal RecordHeaders(ReadOnlySpan<byte> encoded, int count)
    {
        _encoded = encoded;
        Count = count;
    }

    public int Count { get; }

    public Enumerator GetEnumerator() => new(_encoded, Count);

    /// <summary>
    /// Reads and checks <paramref name="count"/> headers from the start of <paramref name="src"/>.
    /// </summary>
    /// <returns>How many bytes they take.</returns>
    internal static int Measure(ReadOnlySpan<byte> src, int count)
    {
        int position = 0;
        for (int i = 0; i < count; i++)
            Read(src, ref position);
        return position;
    }

    private static RecordHeader Read(ReadOnlySpan<byte> src, scoped ref int position)
    {
        int keyLength = Varint.ReadVarint(src, ref position);
        if (keyLength < 0)
            throw new CorruptRecordException($"Record header key length {keyLength} is negative; header keys cannot be null.");
        var key = RecordFields.Take(src, ref position, keyLength, "header key");
        var value = RecordFields.ReadNullableBytes(src, ref position, "header value", out bool hasValue);
        return new RecordHeader(key, value, hasValue);
    }

    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<byte> _encoded;
        private int _position;
        private int _left;

        internal Enumerator(ReadOnlySpan<byte> encoded, int count)
        {
            _encoded = encoded;
            _left = count;
        }

        public RecordHeader Current { get; private set; }

        public bool MoveNext()
        {
            if (_left == 0)
                return false;
            _left--;
            Current = Read(_encoded, ref _position);
            return true;
        }
    }
}
