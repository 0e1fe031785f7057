namespace Broker.Protocol.Wire;

/// <summary>
/// A tagged field this version of the code does not know. Kept so that a message passed through
/// (or re-written) does not silently drop what a newer peer sent.
/// </summary>
public sealed record RawTaggedField(int Tag, byte[] Data)
{
    public bool Equals(RawTaggedField? other) =>
        other is not null && Tag == other.Tag && Data.AsSpan().SequenceEqual(other.Data);

    public override int GetHashCode() => HashCode.Combine(Tag, Data.Length);
}
