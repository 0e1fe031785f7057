namespace Broker.Raft.Core;

/// <summary>
/// Static configuration of one node. Times are milliseconds; the names follow Kafka's
/// <c>controller.quorum.*</c> settings where one exists.
/// </summary>
public sealed record RaftConfig(int NodeId, IReadOnlyList<int> Voters)
{
    /// <summary><c>controller.quorum.election.timeout.ms</c>: base of the randomized election timeout.</summary>
    public int ElectionTimeoutMs { get; init; } = 1000;
    /// <summary><c>controller.quorum.fetch.timeout.ms</c>: a follower without a successful fetch this long starts an election.</summary>
    public int FetchTimeoutMs { get; init; } = 2000;
    /// <summary><c>controller.quorum.election.backoff.max.ms</c>: spacing of preferred successors after a resignation.</summary>
    public int ElectionBackoffMaxMs { get; init; } = 1000;
    /// <summary>How long the leader parks a fetch that has nothing new (Kafka's raft fetch max wait).</summary>
    public int FetchMaxWaitMs { get; init; } = 500;
    /// <summary><c>controller.quorum.request.timeout.ms</c>: resend an unanswered fetch after this long.</summary>
    public int RequestTimeoutMs { get; init; } = 2000;
    /// <summary>How often the leader repeats BeginQuorumEpoch to voters that have not fetched yet.</summary>
    public int BeginQuorumRetryMs { get; init; } = 200;
    /// <summary><c>controller.quorum.retry.backoff.ms</c>: pause after an error reply before fetching again.</summary>
    public int RetryBackoffMs { get; init; } = 20;
    /// <summary>
    /// KIP-996 pre-vote before each election. Needs VoteRequest v2's PreVote flag on the wire;
    /// without it a node campaigns directly (KIP-595 as first shipped).
    /// </summary>
    public bool PreVote { get; init; } = true;
    public int MaxBatchesPerFetch { get; init; } = 64;
    public int SnapshotChunkBytes { get; init; } = 1 << 20;

    public bool IsVoter => Voters.Contains(NodeId);
    public int Majority => Voters.Count / 2 + 1;
}
