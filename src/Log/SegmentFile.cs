using Microsoft.Win32.SafeHandles;

namespace Broker.Log;

/// <summary>
/// A segment's <c>.log</c> file whose descriptor is opened on use and may be closed by its
/// <see cref="SegmentFilePool"/> when unused, so a node can host more segments than it may keep
/// open. Every read or write holds a <see cref="Lease"/> for its duration: the pool never closes a
/// leased descriptor, so a fetch copying bytes is never cut off by an eviction, and the next use
/// after an eviction reopens the file by its current name.
/// </summary>
public sealed class SegmentFile : IDisposable
{
    private readonly SegmentFilePool _pool;
    private readonly object _sync = new();
    private SafeFileHandle? _handle;
    private int _leases;
    private bool _closed;

    private SegmentFile(SegmentFilePool pool, string path)
    {
        _pool = pool;
        Path = path;
    }

    /// <summary>Creates (or empties) the file and leaves it open.</summary>
    public static SegmentFile Create(SegmentFilePool pool, string path)
    {
        var file = new SegmentFile(pool, path);
        using (file.Open(FileMode.Create)) { }
        return file;
    }

    /// <summary>An existing file; it is opened by the first use.</summary>
    public static SegmentFile Existing(SegmentFilePool pool, string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Segment file {path} does not exist.", path);
        return new SegmentFile(pool, path);
    }

    public string Path { get; private set; }

    /// <summary>Whether a descriptor is open now (for tests and the pool).</summary>
    public bool IsOpen { get { lock (_sync) return _handle is not null; } }

    /// <summary>The pool's tick when this file last went to the recent end of its list (under the pool's lock).</summary>
    internal long LastTouch { get; set; }

    /// <summary>The pool's place for this file among the open ones.</summary>
    internal LinkedListNode<SegmentFile>? PoolNode { get; set; }

    /// <summary>The open descriptor, opening it if evicted, held until the lease is disposed.</summary>
    public Lease Acquire() => Open(FileMode.Open);

    private Lease Open(FileMode mode)
    {
        SafeFileHandle handle;
        bool opened;
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            opened = _handle is null;
            handle = _handle ??= FileIo.OpenReadWrite(Path, mode);
            _leases++;
            if (opened)
                _pool.Opened(this);
            else if (_pool.IsStale(this))
                _pool.Touch(this);
        }
        return new Lease(this, handle);
    }

    private void Release() => Interlocked.Decrement(ref _leases);

    /// <summary>Closes the descriptor if no one holds it; called by the pool, which must not block on a busy file.</summary>
    internal bool TryEvict()
    {
        if (!Monitor.TryEnter(_sync))
            return false;
        try
        {
            if (Volatile.Read(ref _leases) > 0)
                return false;
            _handle?.Dispose();
            _handle = null;
            return true;
        }
        finally
        {
            Monitor.Exit(_sync);
        }
    }

    /// <summary>Renames the file; an open descriptor keeps working and a reopen uses the new name.</summary>
    public void MoveTo(string newPath)
    {
        lock (_sync)
        {
            if (File.Exists(Path))
                File.Move(Path, newPath, overwrite: true);
            Path = newPath;
        }
    }

    /// <summary>Closes the descriptor for good: later uses throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_sync)
        {
            if (_closed)
                return;
            _closed = true;
            // A read already under way finishes first: SafeHandle defers the close to its last use.
            _handle?.Dispose();
            _handle = null;
            _pool.Closed(this);
        }
    }

    public override string ToString() => Path;

    /// <summary>Use of the open descriptor; dispose it when the read or write is done.</summary>
    public readonly struct Lease : IDisposable
    {
        private readonly SegmentFile? _file;

        internal Lease(SegmentFile file, SafeFileHandle handle)
        {
            _file = file;
            Handle = handle;
        }

        public SafeFileHandle Handle { get; }

        public void Dispose() => _file?.Release();
    }
}
