namespace Broker.Replication;

/// <summary>
/// What a partition's leader knows of one follower, from that follower's fetches (Kafka's
/// ReplicaState): its log end offset, the broker epoch it fetched with, and when it was last caught up.
/// </summary>
public sealed class RemoteReplica(int brokerId, long lastCaughtUpTimeMs)
{
    public int BrokerId { get; } = brokerId;

    /// <summary>The follower's log end offset as its last fetch said; -1 until it has fetched from this leader.</summary>
    public long LogEndOffset { get; private set; } = -1;

    /// <summary>The broker epoch the follower fetched with (Fetch v15+ ReplicaState), -1 when unknown.</summary>
    public long BrokerEpoch { get; private set; } = -1;

    public long LastCaughtUpTimeMs { get; private set; } = lastCaughtUpTimeMs;

    private long _lastFetchTimeMs = -1;
    private long _lastFetchLeaderLogEndOffset = -1;

    /// <summary>
    /// A fetch at <paramref name="fetchOffset"/> arrived while the leader's log ended at
    /// <paramref name="leaderLogEndOffset"/>. Kafka's rule: a follower that fetched up to the leader's
    /// end is caught up now; one that reached the end the leader had at its previous fetch was caught
    /// up as of that previous fetch.
    /// </summary>
    public void OnFetch(long fetchOffset, long brokerEpoch, long leaderLogEndOffset, long nowMs)
    {
        if (fetchOffset >= leaderLogEndOffset)
            LastCaughtUpTimeMs = Math.Max(LastCaughtUpTimeMs, nowMs);
        else if (_lastFetchTimeMs >= 0 && fetchOffset >= _lastFetchLeaderLogEndOffset)
            LastCaughtUpTimeMs = Math.Max(LastCaughtUpTimeMs, _lastFetchTimeMs);
        LogEndOffset = fetchOffset;
        BrokerEpoch = brokerEpoch;
        _lastFetchTimeMs = nowMs;
        _lastFetchLeaderLogEndOffset = leaderLogEndOffset;
    }

    /// <summary>Within <c>replica.lag.time.max.ms</c> of the leader's end (Kafka's isCaughtUp).</summary>
    public bool IsCaughtUp(long leaderLogEndOffset, long nowMs, long maxLagMs) =>
        LogEndOffset >= leaderLogEndOffset || nowMs - LastCaughtUpTimeMs <= maxLagMs;
}
