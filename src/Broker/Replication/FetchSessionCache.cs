namespace Broker.Replication;

/// <summary>
/// The broker's fetch sessions, bounded like Kafka's (<c>max.incremental.fetch.session.cache.slots</c>,
/// 1000): when full, the least recently used session is evicted and its client falls back to a
/// full fetch after FETCH_SESSION_ID_NOT_FOUND.
/// </summary>
public sealed class FetchSessionCache(int maxSessions = 1000)
{
    private readonly Dictionary<int, FetchSession> _sessions = [];
    private readonly object _lock = new();

    public FetchSession Create()
    {
        lock (_lock)
        {
            if (_sessions.Count >= maxSessions)
                _sessions.Remove(_sessions.Values.MinBy(s => s.LastUsedTicks)!.Id);
            int id;
            do id = Random.Shared.Next(1, int.MaxValue);
            while (_sessions.ContainsKey(id));
            var session = new FetchSession(id);
            _sessions[id] = session;
            return session;
        }
    }

    public FetchSession? Get(int id)
    {
        lock (_lock)
        {
            if (!_sessions.TryGetValue(id, out var session))
                return null;
            session.LastUsedTicks = Environment.TickCount64;
            return session;
        }
    }

    public void Remove(int id)
    {
        lock (_lock)
            _sessions.Remove(id);
    }

    public int Count
    {
        get
        {
            lock (_lock)
                return _sessions.Count;
        }
    }
}
