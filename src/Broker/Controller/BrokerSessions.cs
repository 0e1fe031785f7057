namespace Broker.Controller;

/// <summary>
/// The active controller's view of broker liveness, driven by heartbeats and an injectable clock.
/// A controller that has just become active has heard from nobody: every unfenced broker gets one
/// session timeout from activation to show up, but none counts as "alive" for refusing a new
/// incarnation until it has actually heartbeated to this controller (so a restarted combined node
/// re-registers at once instead of waiting out its own old session).
/// The controller loop makes every change; handlers may read (placement checks), hence the lock.
/// </summary>
public sealed class BrokerSessions(TimeProvider clock, TimeSpan sessionTimeout)
{
    private readonly Dictionary<int, Session> _sessions = [];

    private sealed class Session
    {
        public DateTimeOffset Deadline;
        public bool Heard;
        public long? ControlledShutdownOffset;
    }

    public TimeProvider Clock => clock;

    public TimeSpan SessionTimeout => sessionTimeout;

    /// <summary>Becoming active: each unfenced broker must heartbeat within one session timeout from now.</summary>
    public void Activate(IEnumerable<int> unfencedBrokers)
    {
        lock (_sessions)
        {
            _sessions.Clear();
            var deadline = clock.GetUtcNow() + sessionTimeout;
            foreach (var id in unfencedBrokers)
                _sessions[id] = new Session { Deadline = deadline };
        }
    }

    /// <summary>A heartbeat arrived: the session runs for another timeout.</summary>
    public void Touch(int brokerId)
    {
        lock (_sessions)
        {
            var session = _sessions.TryGetValue(brokerId, out var s) ? s : _sessions[brokerId] = new Session();
            session.Deadline = clock.GetUtcNow() + sessionTimeout;
            session.Heard = true;
        }
    }

    /// <summary>True when the broker heartbeated to this controller and its session has not run out.</summary>
    public bool IsAlive(int brokerId)
    {
        lock (_sessions)
            return _sessions.TryGetValue(brokerId, out var s) && s.Heard && clock.GetUtcNow() <= s.Deadline;
    }

    /// <summary>Brokers among <paramref name="unfenced"/> whose session ran out (or never started).</summary>
    public IReadOnlyList<int> Expired(IEnumerable<int> unfenced)
    {
        var now = clock.GetUtcNow();
        lock (_sessions)
            return unfenced.Where(id => !_sessions.TryGetValue(id, out var s) || now > s.Deadline).ToArray();
    }

    /// <summary>The metadata offset a broker in controlled shutdown must reach before it may stop (null: not known yet).</summary>
    public long? ControlledShutdownOffset(int brokerId)
    {
        lock (_sessions)
            return _sessions.TryGetValue(brokerId, out var s) ? s.ControlledShutdownOffset : null;
    }

    public void SetControlledShutdownOffset(int brokerId, long? offset)
    {
        lock (_sessions)
            if (_sessions.TryGetValue(brokerId, out var s))
                s.ControlledShutdownOffset = offset;
    }

    /// <summary>A new registration or an unregistration: whatever was known about the old one is void.</summary>
    public void Forget(int brokerId)
    {
        lock (_sessions)
            _sessions.Remove(brokerId);
    }
}
