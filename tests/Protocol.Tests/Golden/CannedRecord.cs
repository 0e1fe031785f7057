namespace Broker.Protocol.Tests.Golden;

/// <summary>
/// A record's content as a client sends or prints it: what produce tests expect to find in a
/// captured batch and what the fake broker serves to consumers.
/// </summary>
internal sealed record CannedRecord(string? Key, string? Value, params (string Key, string? Value)[] Headers)
{
    // Compared by content: a record's default equality would compare the header arrays by reference.
    public bool Equals(CannedRecord? other) =>
        other is not null && Key == other.Key && Value == other.Value && Headers.SequenceEqual(other.Headers);

    public override int GetHashCode() => HashCode.Combine(Key, Value, Headers.Length);

    public override string ToString() =>
        $"{Key ?? "<null>"}={Value ?? "<null>"} [{string.Join(",", Headers.Select(h => $"{h.Key}={h.Value ?? "<null>"}"))}]";
}
