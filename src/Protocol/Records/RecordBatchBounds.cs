namespace Broker.Protocol.Records;

/// <summary>Where one batch sits inside a larger buffer (a Produce <c>records</c> field, a log segment).</summary>
public readonly record struct RecordBatchBounds(int Position, int Length)
{
    public int End => Position + Length;
}
