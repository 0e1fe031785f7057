using Broker.Raft.Core;

namespace Broker.Raft.Tests.Simulation;

/// <summary>Knobs of one simulated run; every random choice derives from <see cref="Seed"/>.</summary>
public sealed record SimOptions(int Seed, int Voters, int Observers = 1)
{
    public long ChaosMs { get; init; } = 6_000;
    /// <summary>After the chaos: the network heals and a proposal must commit everywhere within this.</summary>
    public long LivenessMs { get; init; } = 20_000;
    public int TickMs { get; init; } = 10;
    public int MinDelayMs { get; init; } = 1;
    public int MaxDelayMs { get; init; } = 20;
    public double LossRate { get; init; } = 0.05;
    public double DuplicateRate { get; init; } = 0.03;
    public double CrashPerSecond { get; init; } = 0.4;
    /// <summary>Chance that a ready needing a flush crashes the node part way through it.</summary>
    public double CrashDuringFlush { get; init; } = 0.004;
    public double PartitionPerSecond { get; init; } = 0.8;
    public double ResignPerSecond { get; init; } = 0.2;
    public double SnapshotPerSecond { get; init; } = 1.0;
    public int ProposeEveryMs { get; init; } = 40;
    public bool PreVote { get; init; } = true;
    /// <summary>Fault injection for the checker's own test: this node lies about its log in votes.</summary>
    public int LyingCandidate { get; init; } = -1;
    /// <summary>Fault injection: this node never writes its quorum-state, so a restart forgets its vote.</summary>
    public int ForgetsVotes { get; init; } = -1;

    public RaftConfig NodeConfig(int nodeId, IReadOnlyList<int> voters) => new(nodeId, voters)
    {
        ElectionTimeoutMs = 150,
        FetchTimeoutMs = 300,
        ElectionBackoffMaxMs = 100,
        FetchMaxWaitMs = 50,
        RequestTimeoutMs = 150,
        BeginQuorumRetryMs = 50,
        RetryBackoffMs = 20,
        MaxBatchesPerFetch = 8,
        SnapshotChunkBytes = 16,
        PreVote = PreVote,
    };
}
