using System.Buffers;
using System.Numerics;

namespace Broker.Network;

/// <summary>
/// The memory of the request frames being read or handled, bounded by queued.max.request.bytes.
/// As in Kafka's memory pool, a frame is admitted for its declared size before its bytes are read,
/// and a connection whose frame would pass the bound waits until others give memory back; unlike
/// it, the buffer itself then grows only with the bytes that arrive. Frames up to
/// <see cref="SmallFrameBytes"/> are not counted, so metadata requests, heartbeats and small
/// produces are always read. Buffers above <see cref="PooledLimit"/> are plain arrays rather than
/// pooled ones, so that no pool keeps hundreds of megabytes once the requests that needed them are gone.
/// </summary>
public sealed class RequestMemoryBudget
{
    public const int SmallFrameBytes = 64 * 1024;
    private const int PooledLimit = 1024 * 1024;
    private const long CollectAfterPeak = 256L * 1024 * 1024;

    private readonly Lock _gate = new();
    private long _admitted;
    private long _peakSinceCollect;
    private TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="queuedMaxRequestBytes">
    /// queued.max.request.bytes. Kafka's default, -1, leaves it unbounded and lets the JVM heap fail
    /// instead; here -1 means a quarter of the memory available to the process, at most 1 GiB.
    /// The bound is never below <paramref name="maxRequestSize"/>, as Kafka requires.
    /// </param>
    public RequestMemoryBudget(long queuedMaxRequestBytes, int maxRequestSize)
    {
        var bound = queuedMaxRequestBytes > 0
            ? queuedMaxRequestBytes
            : Math.Min(1L << 30, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4);
        Limit = Math.Max(bound, maxRequestSize);
    }

    public long Limit { get; }

    /// <summary>Declared bytes of the counted frames admitted and not yet released.</summary>
    public long Admitted { get { lock (_gate) return _admitted; } }

    /// <summary>Admits a frame of <paramref name="frameSize"/> bytes, waiting while the budget is spent.</summary>
    public async ValueTask AdmitAsync(int frameSize, CancellationToken cancel)
    {
        if (frameSize <= SmallFrameBytes)
            return;
        while (true)
        {
            Task released;
            lock (_gate)
            {
                // A lone frame is always admitted: a bound below one frame slows, never blocks.
                if (_admitted == 0 || _admitted + frameSize <= Limit)
                {
                    _admitted += frameSize;
                    _peakSinceCollect = Math.Max(_peakSinceCollect, _admitted);
                    return;
                }
                released = _released.Task;
            }
            await released.WaitAsync(cancel).ConfigureAwait(false);
        }
    }

    /// <summary>Gives back what <see cref="AdmitAsync"/> admitted for a frame of <paramref name="frameSize"/> bytes.</summary>
    public void Release(int frameSize)
    {
        if (frameSize <= SmallFrameBytes)
            return;
        TaskCompletionSource released;
        var collect = false;
        lock (_gate)
        {
            _admitted -= frameSize;
            released = _released;
            _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_admitted == 0 && _peakSinceCollect >= CollectAfterPeak)
            {
                _peakSinceCollect = 0;
                collect = true;
            }
        }
        released.TrySetResult();
        // A burst of large frames is over: their arrays are garbage the GC would otherwise keep
        // (and keep resident) until the next allocations trigger it. Steady traffic never peaks this high.
        if (collect)
            ThreadPool.UnsafeQueueUserWorkItem(_ => GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true), null);
    }

    /// <summary>A buffer of at least <paramref name="length"/> bytes.</summary>
    public static byte[] Rent(int length) => length <= PooledLimit
        ? ArrayPool<byte>.Shared.Rent((int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(length, 16)))
        : GC.AllocateUninitializedArray<byte>(length);

    public static void Return(byte[] buffer)
    {
        if (buffer.Length <= PooledLimit)
            ArrayPool<byte>.Shared.Return(buffer);
    }
}
