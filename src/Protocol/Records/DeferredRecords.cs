using System.Buffers;
using System.Runtime.InteropServices;

namespace Broker.Protocol.Records;

/// <summary>
/// Record bytes that stay where they are (a segment file) until a response is encoded: put
/// <see cref="MemoryManager{T}.Memory"/> in a message's records field and <c>KafkaWriter</c> asks
/// them to copy themselves straight into its output, so they are copied once instead of being read
/// into a buffer first. Code that reads the span in process gets the bytes read into a pooled array
/// on first use; <see cref="IDisposable.Dispose"/> returns it.
/// </summary>
public abstract class DeferredRecords : MemoryManager<byte>
{
    private byte[]? _materialized;

    protected DeferredRecords(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
    }

    public int Length { get; }

    /// <summary>Never reads the bytes: a records field holding this costs nothing until it is written.</summary>
    public override Memory<byte> Memory => CreateMemory(Length);

    /// <summary>Copies <paramref name="destination"/>.Length bytes starting <paramref name="start"/> bytes in.</summary>
    public abstract void CopyTo(int start, Span<byte> destination);

    public override Span<byte> GetSpan()
    {
        if (_materialized is null)
        {
            var array = ArrayPool<byte>.Shared.Rent(Math.Max(Length, 1));
            CopyTo(0, array.AsSpan(0, Length));
            _materialized = array;
        }
        return _materialized.AsSpan(0, Length);
    }

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        GetSpan();
        var handle = GCHandle.Alloc(_materialized, GCHandleType.Pinned);
        unsafe
        {
            return new MemoryHandle((byte*)handle.AddrOfPinnedObject() + elementIndex, handle, this);
        }
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        var array = Interlocked.Exchange(ref _materialized, null);
        if (array is not null)
            ArrayPool<byte>.Shared.Return(array);
    }
}
