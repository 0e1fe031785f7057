namespace Broker.Log;

/// <summary>
/// Bounds the segment files open at once across every partition (<c>log.open.files.max</c>), so a
/// node hosting more segments than its open-file limit allows still starts and serves. A file is
/// opened on use; when more than <see cref="Capacity"/> are open the least recently used idle
/// ones are closed. A use moves a file to the recent end only when more than half the capacity
/// of other files went there since, so a hot partition's appends rarely take the pool's lock, yet
/// its active segment always stays in the recent half and is never closed. Leased files are never
/// closed, so the bound may be exceeded briefly while that many reads and writes are in flight.
/// </summary>
public sealed class SegmentFilePool
{
    /// <summary>Descriptors left to sockets, the metadata log and the runtime when the bound is derived.</summary>
    public const int ReservedForOtherFiles = 256;

    private readonly object _sync = new();
    private readonly LinkedList<SegmentFile> _open = new();
    private long _evictions;
    private long _opens;
    // Counts moves to the recent end of the list; a file's distance from that end is at most the ticks since its own move.
    private long _tick;

    public SegmentFilePool(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>Sized from this process's open-file limit, for callers that configure nothing.</summary>
    public static SegmentFilePool Shared { get; } = new(DeriveCapacity(OpenFileLimit.Current()));

    public int Capacity { get; }

    public int OpenCount { get { lock (_sync) return _open.Count; } }

    /// <summary>Descriptors opened since the pool was made, first opens and reopens after eviction.</summary>
    public long Opens => Interlocked.Read(ref _opens);

    /// <summary>Descriptors closed to stay within the bound since the pool was made.</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>
    /// Half of the soft <c>RLIMIT_NOFILE</c> after <see cref="ReservedForOtherFiles"/>: the other
    /// half stays for client and replica sockets, which need one descriptor each.
    /// </summary>
    public static int DeriveCapacity(long openFileLimit) =>
        (int)Math.Clamp((openFileLimit - ReservedForOtherFiles) / 2, 16, int.MaxValue);

    /// <summary>Called by a file that just opened its descriptor (under its own lock).</summary>
    internal void Opened(SegmentFile file)
    {
        lock (_sync)
        {
            _opens++;
            if (file.PoolNode is null)
                MoveToRecentEnd(file);
            if (_open.Count > Capacity)
                Sweep();
        }
    }

    /// <summary>Whether an open file drifted far enough towards eviction to be moved back (read without the lock).</summary>
    internal bool IsStale(SegmentFile file) => Volatile.Read(ref _tick) - file.LastTouch > Math.Max(1, Capacity / 2);

    /// <summary>Called by a file in use (under its own lock) that <see cref="IsStale"/> found drifting.</summary>
    internal void Touch(SegmentFile file)
    {
        lock (_sync)
        {
            if (file.PoolNode is not { } node)
                return;
            _open.Remove(node);
            file.PoolNode = null;
            MoveToRecentEnd(file);
        }
    }

    private void MoveToRecentEnd(SegmentFile file)
    {
        file.PoolNode = _open.AddLast(file);
        file.LastTouch = Volatile.Read(ref _tick) + 1;
        Volatile.Write(ref _tick, file.LastTouch);
    }

    /// <summary>Called by a file closed for good (under its own lock).</summary>
    internal void Closed(SegmentFile file)
    {
        lock (_sync)
            Forget(file);
    }

    private void Forget(SegmentFile file)
    {
        if (file.PoolNode is { } node)
            _open.Remove(node);
        file.PoolNode = null;
    }

    /// <summary>Closes idle files, least recently used first, until the pool is back within its bound or every open file was looked at.</summary>
    private void Sweep()
    {
        var budget = _open.Count;
        while (_open.Count > Capacity && budget-- > 0 && _open.First is { } node)
        {
            var file = node.Value;
            _open.RemoveFirst();
            file.PoolNode = null;
            if (file.TryEvict())
                _evictions++;
            else
                MoveToRecentEnd(file);
        }
    }
}
