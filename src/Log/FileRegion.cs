namespace Broker.Log;

/// <summary>
/// Bytes of a segment file, whole batches, for a Fetch response: the network layer copies them
/// once, straight from the file into its send buffer. The file stays readable for
/// <c>file.delete.delay.ms</c> after the segment is deleted, which is the window an in-flight
/// response has to copy them; each copy leases the descriptor (reopening it if it was evicted
/// meanwhile), so the pool cannot close it under the read.
/// </summary>
public readonly struct FileRegion
{
    public FileRegion(SegmentFile file, long position, int length)
    {
        File = file;
        Position = position;
        Length = length;
    }

    public static FileRegion Empty => default;

    public SegmentFile? File { get; }
    public long Position { get; }
    public int Length { get; }
    public bool IsEmpty => Length == 0;

    /// <summary>Copies the region into <paramref name="destination"/>, which must hold <see cref="Length"/> bytes.</summary>
    public void CopyTo(Span<byte> destination)
    {
        if (IsEmpty)
            return;
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Length);
        using var lease = File!.Acquire();
        if (FileIo.ReadFully(lease.Handle, destination[..Length], Position) != Length)
            throw new IOException($"Segment ended before {Length} bytes at position {Position}; it was truncated or deleted.");
    }

    public async ValueTask CopyToAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Length);
        if (IsEmpty)
            return;
        using var lease = File!.Acquire();
        var total = 0;
        while (total < Length)
        {
            var n = await RandomAccess.ReadAsync(lease.Handle, destination[total..Length], Position + total, cancellationToken).ConfigureAwait(false);
            if (n == 0)
                throw new IOException($"Segment ended before {Length} bytes at position {Position}; it was truncated or deleted.");
            total += n;
        }
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }
}
