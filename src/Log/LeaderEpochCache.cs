using System.Globalization;

namespace Broker.Log;

/// <summary>A leader epoch and the first offset its leader wrote.</summary>
public readonly record struct EpochEntry(int Epoch, long StartOffset);

/// <summary>
/// Which leader epoch wrote which offsets, kept in <c>leader-epoch-checkpoint</c> (version,
/// count, then <c>epoch startOffset</c> lines). Replicas use it to answer OffsetForLeaderEpoch
/// and so find where their log diverged from a new leader's. Every change is written through.
/// </summary>
public sealed class LeaderEpochCache
{
    public const int UndefinedEpoch = -1;
    public const long UndefinedEpochOffset = -1;

    private readonly object _sync = new();
    private readonly List<EpochEntry> _entries;
    private readonly string? _path;
    private volatile int _latestEpoch = UndefinedEpoch;

    /// <param name="path">The checkpoint file, or null to keep the cache in memory only.</param>
    public LeaderEpochCache(string? path, IEnumerable<EpochEntry>? entries = null)
    {
        _path = path;
        _entries = entries?.ToList() ?? [];
        _latestEpoch = _entries.Count == 0 ? UndefinedEpoch : _entries[^1].Epoch;
    }

    /// <summary>Reads <c>leader-epoch-checkpoint</c> from a partition directory; empty when absent.</summary>
    public static LeaderEpochCache Load(string partitionDirectory)
    {
        var path = Path.Combine(partitionDirectory, LogFileNames.LeaderEpochCheckpoint);
        var entries = CheckpointText.Read(path, 2)
            .Select(f => new EpochEntry((int)CheckpointText.ParseLong(path, f[0]), CheckpointText.ParseLong(path, f[1])))
            .ToList();
        for (var i = 1; i < entries.Count; i++)
            if (entries[i].Epoch <= entries[i - 1].Epoch || entries[i].StartOffset < entries[i - 1].StartOffset)
                throw new CorruptLogFileException(path, $"entry {i} ({entries[i]}) does not follow {entries[i - 1]}.");
        return new LeaderEpochCache(path, entries);
    }

    /// <summary>The newest epoch, or <see cref="UndefinedEpoch"/>. Lock-free so appends can check it cheaply.</summary>
    public int LatestEpoch => _latestEpoch;

    public IReadOnlyList<EpochEntry> Entries
    {
        get
        {
            lock (_sync)
                return _entries.ToArray();
        }
    }

    /// <summary>
    /// Records that <paramref name="epoch"/> starts at <paramref name="startOffset"/>. Entries that
    /// contradict it (a later or equal epoch, or a start at or after it) were written by leaders
    /// whose data has since been truncated, and are dropped, as Kafka does.
    /// </summary>
    public void Assign(int epoch, long startOffset)
    {
        if (epoch < 0 || startOffset < 0)
            return;
        lock (_sync)
        {
            if (_entries.Count > 0 && _entries[^1].Epoch == epoch && _entries[^1].StartOffset <= startOffset)
                return;
            _entries.RemoveAll(e => e.Epoch >= epoch || e.StartOffset >= startOffset);
            _entries.Add(new EpochEntry(epoch, startOffset));
            Changed();
        }
    }

    /// <summary>
    /// OffsetForLeaderEpoch: the largest epoch not above <paramref name="requestedEpoch"/> and the
    /// offset where the next epoch starts (the log end offset for the current epoch).
    /// </summary>
    public (int Epoch, long EndOffset) EndOffsetFor(int requestedEpoch, long logEndOffset)
    {
        lock (_sync)
        {
            if (requestedEpoch == UndefinedEpoch)
                return (UndefinedEpoch, UndefinedEpochOffset);
            if (_entries.Count > 0 && _entries[^1].Epoch == requestedEpoch)
                return (requestedEpoch, logEndOffset);
            var higher = _entries.FindIndex(e => e.Epoch > requestedEpoch);
            if (higher < 0)
                return (UndefinedEpoch, UndefinedEpochOffset);
            // Entries before the first higher one all have epochs at most the requested one.
            return higher == 0
                ? (requestedEpoch, _entries[0].StartOffset)
                : (_entries[higher - 1].Epoch, _entries[higher].StartOffset);
        }
    }

    /// <summary>The epoch that wrote <paramref name="offset"/>, or <see cref="UndefinedEpoch"/>.</summary>
    public int EpochForOffset(long offset)
    {
        lock (_sync)
        {
            var epoch = UndefinedEpoch;
            foreach (var entry in _entries)
            {
                if (entry.StartOffset > offset)
                    break;
                epoch = entry.Epoch;
            }
            return epoch;
        }
    }

    /// <summary>The log was truncated to <paramref name="endOffset"/>: epochs starting there or later are gone.</summary>
    public void TruncateFromEnd(long endOffset)
    {
        lock (_sync)
        {
            if (endOffset < 0 || _entries.Count == 0 || _entries[^1].StartOffset < endOffset)
                return;
            _entries.RemoveAll(e => e.StartOffset >= endOffset);
            Changed();
        }
    }

    /// <summary>
    /// The log now starts at <paramref name="startOffset"/>: earlier entries go, except that the
    /// epoch in force there is kept, moved to start at <paramref name="startOffset"/>.
    /// </summary>
    public void TruncateFromStart(long startOffset)
    {
        lock (_sync)
        {
            var last = _entries.FindLastIndex(e => e.StartOffset <= startOffset);
            if (last < 0 || (last == 0 && _entries[0].StartOffset == startOffset))
                return;
            var epoch = _entries[last].Epoch;
            _entries.RemoveRange(0, last + 1);
            _entries.Insert(0, new EpochEntry(epoch, startOffset));
            Changed();
        }
    }

    public void Clear()
    {
        lock (_sync)
        {
            if (_entries.Count == 0)
                return;
            _entries.Clear();
            Changed();
        }
    }

    private void Changed()
    {
        _latestEpoch = _entries.Count == 0 ? UndefinedEpoch : _entries[^1].Epoch;
        if (_path is not null)
            CheckpointText.Write(_path, _entries
                .Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Epoch} {e.StartOffset}"))
                .ToList());
    }
}
