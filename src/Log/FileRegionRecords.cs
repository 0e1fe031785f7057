using Broker.Protocol.Records;

namespace Broker.Log;

/// <summary>
/// A <see cref="FileRegion"/> as a records field: the response encoder reads the segment file
/// straight into its output buffer, the one copy a Fetch makes of the batches.
/// </summary>
public sealed class FileRegionRecords(FileRegion region) : DeferredRecords(region.Length)
{
    public override void CopyTo(int start, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)start + destination.Length, Length);
        if (!destination.IsEmpty)
            new FileRegion(region.File!, region.Position + start, destination.Length).CopyTo(destination);
    }
}
