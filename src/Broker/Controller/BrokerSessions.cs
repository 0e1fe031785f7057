using Broker.Config;

namespace Broker.Controller;

/// <summary>
/// The active controller's view of broker liveness, driven by heartbeats and an injectable clock.
/// A controller that has just become active has heard from nobody: every unfenced broker gets one
/// session timeout from activation to show up, but none counts as "alive" for refusing a new
/// incarnation until it has actually heartbeated to this controller (so a restarted combined node
/// re-registers at once instead of waiting out its own old session).
/// The controller loop makes every change; handlers may read (placement checks), hence the lock.
/// </summary>
/// <remarks>
/// A broker killed outright stops heartbeating, but its heartbeat connection also closes at once.
/// A closed connection cuts the session short to <paramref name="connectionLossGrace"/>: a live
/// broker that lost its connection heartbeats again on a new one within its retry back-off (or
/// its next heartbeat) and keeps its session; a dead one is fenced when the grace ends instead of
/// a whole session timeout later. Fencing only makes a broker ineligible (it cannot lead nor join
/// an ISR; elections still come from the ISR), and a live broker fenced by mistake is unfenced by
/// its next heartbeat. To keep a flapping connection from fencing a broker again and again, a
/// session is cut short at most once per <see cref="CutShortQuietPeriodFactor"/> session timeouts;
/// otherwise it runs its full timeout. Brokers shutting down are left to their controlled shutdown.
/// </remarks>
public sealed class BrokerSessions(TimeProvider clock, TimeSpan sessionTimeout, TimeSpan connectionLossGrace = default)
{
    /// <summary>After a cut-short session, this many session timeouts pass before a closed connection may cut one short again.</summary>
    public const int CutShortQuietPeriodFactor = 10;

    private readonly Dictionary<int, Session> _sessions = [];

    private sealed class Session
    {
        public DateTimeOffset Deadline;
        public bool Heard;
        public long? ControlledShutdownOffset;
        public long ConnectionId = -1;
        public bool ShuttingDown;
        public DateTimeOffset? CutShortAt;
        public bool EndsByConnectionLoss;
    }

    /// <summary>How long a broker whose heartbeat connection closed has to heartbeat again; zero turns the shortcut off.</summary>
    public TimeSpan ConnectionLossGrace => connectionLossGrace;

    /// <summary>
    /// A quarter of <c>broker.heartbeat.interval.ms</c> and at least 250 ms (500 ms by default), never
    /// more than the session timeout: a broker that had to reconnect retries its heartbeat after
    /// 100 ms, and clients look for a new leader a few hundred milliseconds after losing one
    /// (librdkafka: 250 ms, doubling), so a shorter grace is what lets them find it on their first retries.
    /// </summary>
    public static TimeSpan GraceAfterConnectionLoss(BrokerConfig config) =>
        TimeSpan.FromMilliseconds(Math.Min(Math.Max(config.GetInt("broker.heartbeat.interval.ms") / 4, 250), config.GetInt("broker.session.timeout.ms")));

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

    /// <summary>
    /// A heartbeat arrived (on connection <paramref name="connectionId"/>, -1 when unknown): the
    /// session runs for another timeout. True when that connection is new for this broker, to be watched.
    /// </summary>
    public bool Touch(int brokerId, long connectionId = -1, bool shuttingDown = false)
    {
        lock (_sessions)
        {
            var session = _sessions.TryGetValue(brokerId, out var s) ? s : _sessions[brokerId] = new Session();
            session.Deadline = clock.GetUtcNow() + sessionTimeout;
            session.Heard = true;
            session.EndsByConnectionLoss = false;
            session.ShuttingDown = shuttingDown;
            var isNew = connectionId >= 0 && session.ConnectionId != connectionId;
            if (connectionId >= 0)
                session.ConnectionId = connectionId;
            return isNew;
        }
    }

    /// <summary>
    /// The connection <paramref name="brokerId"/> last heartbeated on closed. True when that cut its
    /// session short: it now ends after the grace unless a heartbeat arrives first.
    /// </summary>
    public bool ConnectionClosed(int brokerId, long connectionId)
    {
        lock (_sessions)
        {
            if (connectionLossGrace <= TimeSpan.Zero || !_sessions.TryGetValue(brokerId, out var s)
                || s.ConnectionId != connectionId || s.ShuttingDown)
                return false;
            var now = clock.GetUtcNow();
            if (s.CutShortAt is { } at && now - at < sessionTimeout * CutShortQuietPeriodFactor)
                return false;
            var deadline = now + connectionLossGrace;
            if (deadline >= s.Deadline)
                return false;
            s.Deadline = deadline;
            s.CutShortAt = now;
            s.EndsByConnectionLoss = true;
            return true;
        }
    }

    /// <summary>True when the broker's session was cut short by its closed connection and has not been renewed since.</summary>
    public bool EndsByConnectionLoss(int brokerId)
    {
        lock (_sessions)
            return _sessions.TryGetValue(brokerId, out var s) && s.EndsByConnectionLoss;
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
