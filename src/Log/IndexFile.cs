using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Broker.Log;

/// <summary>
/// A sparse, append-only index file (<c>.index</c> or <c>.timeindex</c>) whose entries are kept
/// in memory and written to disk on flush, roll and close.
/// Kafka memory-maps these files; a managed array instead lets readers search without locks and
/// without risk of touching an unmapped region after the segment is closed or deleted. The file
/// is preallocated to <c>segment.index.bytes</c> while its segment is active and trimmed to the
/// entries it holds when the segment rolls or closes, as Kafka does.
/// Entries past the last flush are not on disk: after a crash the segment is at or after the
/// recovery point, so recovery rebuilds its indexes anyway.
/// </summary>
internal abstract class IndexFile<TEntry> where TEntry : struct
{
    private readonly object _sync = new();
    private readonly int _maxEntries;
    private TEntry[]? _entries;
    private int _count;
    private int _persisted;

    protected IndexFile(string path, long baseOffset, int maxIndexBytes, int entrySize)
    {
        Path = path;
        BaseOffset = baseOffset;
        EntrySize = entrySize;
        _maxEntries = Math.Max(1, maxIndexBytes / entrySize);
    }

    public string Path { get; private set; }
    public long BaseOffset { get; }
    public int EntrySize { get; }
    public int MaxEntries => _maxEntries;
    public bool IsLoaded => Volatile.Read(ref _entries) is not null;
    public int Count => Volatile.Read(ref _count);
    public bool IsFull => Count >= _maxEntries;

    /// <summary>
    /// The entries a reader may search: appended entries become visible only after they are
    /// complete, and truncation swaps in a fresh array so a reader's view stays ordered.
    /// </summary>
    protected ReadOnlySpan<TEntry> Entries
    {
        get
        {
            var entries = Volatile.Read(ref _entries);
            if (entries is null)
                return default;
            return entries.AsSpan(0, Math.Min(Volatile.Read(ref _count), entries.Length));
        }
    }

    protected TEntry? LastEntry
    {
        get
        {
            var entries = Entries;
            return entries.IsEmpty ? null : entries[^1];
        }
    }

    protected abstract void Encode(in TEntry entry, Span<byte> destination);
    protected abstract TEntry Decode(ReadOnlySpan<byte> source);
    protected abstract bool IsValid(in TEntry entry);
    protected abstract bool IsOrdered(in TEntry previous, in TEntry next);

    /// <summary>Starts with no entries and an empty file, preallocated when the segment is active.</summary>
    public void Reset(bool preallocate)
    {
        lock (_sync)
        {
            Volatile.Write(ref _count, 0);
            Volatile.Write(ref _entries, new TEntry[Math.Min(_maxEntries, 64)]);
            _persisted = 0;
            using var file = FileIo.OpenReadWrite(Path, FileMode.Create);
            if (preallocate)
                RandomAccess.SetLength(file, (long)_maxEntries * EntrySize);
        }
    }

    /// <summary>Reads the file; false when it is missing or does not hold a well-ordered index.</summary>
    public bool TryLoad()
    {
        lock (_sync)
        {
            if (_entries is not null)
                return true;
            if (!File.Exists(Path))
                return false;
            using var file = FileIo.OpenReadWrite(Path, FileMode.Open);
            var length = RandomAccess.GetLength(file);
            if (length % EntrySize != 0 || length / EntrySize > _maxEntries + 1L)
                return false;
            var count = (int)(length / EntrySize);
            var entries = ReadEntries(file, count);
            if (entries is null)
                return false;
            _persisted = count;
            Volatile.Write(ref _count, count);
            Volatile.Write(ref _entries, entries);
            return true;
        }
    }

    private TEntry[]? ReadEntries(SafeFileHandle file, int count)
    {
        var entries = new TEntry[Math.Max(count, 1)];
        var chunk = ArrayPool<byte>.Shared.Rent(EntrySize * 4096);
        try
        {
            var read = 0;
            while (read < count)
            {
                var n = Math.Min(count - read, chunk.Length / EntrySize);
                var bytes = chunk.AsSpan(0, n * EntrySize);
                if (FileIo.ReadFully(file, bytes, (long)read * EntrySize) != bytes.Length)
                    return null;
                for (var i = 0; i < n; i++, read++)
                {
                    entries[read] = Decode(bytes.Slice(i * EntrySize, EntrySize));
                    if (!IsValid(entries[read]) || (read > 0 && !IsOrdered(entries[read - 1], entries[read])))
                        return null;
                }
            }
            return entries;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>
    /// Adds an entry; false when the index is full. <paramref name="allowOverflow"/> lets a segment
    /// record its final maximum timestamp even when the time index filled up and caused the roll.
    /// </summary>
    protected bool Add(in TEntry entry, bool allowOverflow = false)
    {
        lock (_sync)
        {
            var entries = _entries ?? throw new InvalidOperationException($"{Path} is not loaded.");
            var limit = allowOverflow ? _maxEntries + 1 : _maxEntries;
            if (_count >= limit)
                return false;
            if (_count == entries.Length)
            {
                var grown = new TEntry[Math.Min(entries.Length * 2L, _maxEntries + 1L)];
                entries.CopyTo(grown, 0);
                Volatile.Write(ref _entries, grown);
                entries = grown;
            }
            entries[_count] = entry;
            Volatile.Write(ref _count, _count + 1);
            return true;
        }
    }

    /// <summary>Keeps the first <paramref name="count"/> entries.</summary>
    protected void TruncateToCount(int count)
    {
        lock (_sync)
        {
            var entries = _entries;
            if (entries is null || count >= _count)
                return;
            // Count first, then a fresh array: a reader never sees a slot reused by a later append.
            Volatile.Write(ref _count, count);
            var fresh = new TEntry[entries.Length];
            Array.Copy(entries, fresh, count);
            Volatile.Write(ref _entries, fresh);
            _persisted = Math.Min(_persisted, count);
        }
    }

    /// <summary>Writes entries added since the last flush and syncs the file.</summary>
    public void Flush()
    {
        lock (_sync)
        {
            if (_entries is null)
                return;
            using var file = FileIo.OpenReadWrite(Path, FileMode.OpenOrCreate);
            WritePending(file);
            RandomAccess.FlushToDisk(file);
        }
    }

    /// <summary>Writes pending entries and cuts the file to them: the form an inactive segment's index keeps.</summary>
    public void Trim()
    {
        lock (_sync)
        {
            if (_entries is null)
                return;
            using var file = FileIo.OpenReadWrite(Path, FileMode.OpenOrCreate);
            WritePending(file);
            RandomAccess.SetLength(file, (long)_count * EntrySize);
        }
    }

    /// <summary>Grows the file back to <c>segment.index.bytes</c> for a segment that is active again.</summary>
    public void Preallocate()
    {
        lock (_sync)
        {
            using var file = FileIo.OpenReadWrite(Path, FileMode.OpenOrCreate);
            RandomAccess.SetLength(file, Math.Max((long)_maxEntries * EntrySize, (long)_count * EntrySize));
        }
    }

    private void WritePending(SafeFileHandle file)
    {
        var pending = _count - _persisted;
        if (pending <= 0)
            return;
        var buffer = ArrayPool<byte>.Shared.Rent(pending * EntrySize);
        try
        {
            for (var i = 0; i < pending; i++)
                Encode(_entries![_persisted + i], buffer.AsSpan(i * EntrySize, EntrySize));
            RandomAccess.Write(file, buffer.AsSpan(0, pending * EntrySize), (long)_persisted * EntrySize);
            _persisted = _count;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Rename(string newPath)
    {
        lock (_sync)
        {
            if (File.Exists(Path))
                File.Move(Path, newPath, overwrite: true);
            Path = newPath;
        }
    }

    public void Delete()
    {
        lock (_sync)
            File.Delete(Path);
    }
}
