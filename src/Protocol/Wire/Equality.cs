namespace Broker.Protocol.Wire;

/// <summary>Structural comparisons used by generated Equals methods.</summary>
public static class Equality
{
    /// <summary>Lists compare element-wise; a null list equals an empty one only for unknown tags.</summary>
    public static bool Lists<T>(List<T>? a, List<T>? b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a is null || b is null) return false;
        if (a.Count != b.Count) return false;
        var comparer = EqualityComparer<T>.Default;
        for (var i = 0; i < a.Count; i++)
            if (!comparer.Equals(a[i], b[i]))
                return false;
        return true;
    }

    public static bool Lists(List<RawTaggedField>? a, List<RawTaggedField>? b) =>
        (a is null || a.Count == 0) && (b is null || b.Count == 0) || Lists<RawTaggedField>(a, b);

    public static bool Bytes(byte[]? a, byte[]? b) =>
        a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    public static bool Records(ReadOnlyMemory<byte>? a, ReadOnlyMemory<byte>? b) =>
        a is null ? b is null : b is not null && a.Value.Span.SequenceEqual(b.Value.Span);

    public static bool Records(ReadOnlyMemory<byte> a, ReadOnlyMemory<byte> b) => a.Span.SequenceEqual(b.Span);
}
