using System.Buffers;

namespace Broker.Network;

/// <summary>An array rented from the shared pool for one response, returned when disposed.</summary>
public sealed class PooledArray : IDisposable
{
    private byte[]? _array;

    public PooledArray(int length)
    {
        _array = ArrayPool<byte>.Shared.Rent(length);
        Length = length;
    }

    public int Length { get; }

    public Memory<byte> Memory => (_array ?? throw new ObjectDisposedException(nameof(PooledArray))).AsMemory(0, Length);

    public void Dispose()
    {
        var array = Interlocked.Exchange(ref _array, null);
        if (array is not null)
            ArrayPool<byte>.Shared.Return(array);
    }
}
