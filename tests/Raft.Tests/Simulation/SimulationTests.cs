using Broker.Raft.Tests.Simulation;

namespace Broker.Raft.Tests;

/// <summary>
/// Runs many seeds of the cluster simulation. A failure names its seed; replay one with
/// <c>RAFT_SEED=&lt;n&gt; RAFT_VOTERS=&lt;3|5&gt; [RAFT_PREVOTE=0] dotnet test tests/Raft.Tests --filter SimulationReplay</c>
/// a longer soak with <c>RAFT_SIM_SEEDS=&lt;n&gt;</c>; or add the seed to <see cref="SimulationReplay.Seed"/>'s inline data.
/// </summary>
public static class SimulationRunner
{
    public static void RunSeeds(int voters, int firstSeed, int count, bool preVote = true)
    {
        // RAFT_SIM_SEEDS=<n> runs n seeds per suite instead, for a longer soak.
        if (int.TryParse(Environment.GetEnvironmentVariable("RAFT_SIM_SEEDS"), out var soak)) count = soak;
        var failures = new List<string>();
        for (var seed = firstSeed; seed < firstSeed + count; seed++)
        {
            var error = RunOne(new SimOptions(seed, voters) { PreVote = preVote });
            if (error is not null) failures.Add(error);
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {count} seeds failed:\n" + string.Join("\n", failures.Take(10)));
    }

    public static string? RunOne(SimOptions options)
    {
        try
        {
            new Simulator(options).Run();
            return null;
        }
        catch (Exception e)
        {
            return $"seed {options.Seed} ({options.Voters} voters{(options.PreVote ? "" : ", no pre-vote")}): {e.GetType().Name}: {e.Message}" +
                   (e is SimulationFailure ? "" : "\n" + e.StackTrace);
        }
    }
}

public class SimulationThreeVoters
{
    [Fact]
    public void Five_hundred_seeds_keep_raft_safe_and_live() => SimulationRunner.RunSeeds(3, 1, 500);
}

public class SimulationFiveVoters
{
    [Fact]
    public void Five_hundred_seeds_keep_raft_safe_and_live() => SimulationRunner.RunSeeds(5, 100_001, 500);
}

public class SimulationWithoutPreVote
{
    /// <summary>How nodes run over VoteRequest v0-1, which cannot carry the PreVote flag.</summary>
    [Fact]
    public void Two_hundred_seeds_keep_raft_safe_and_live() => SimulationRunner.RunSeeds(3, 200_001, 200, preVote: false);
}

public class SimulationReplay
{
    /// <summary>Replays one seed: from the environment (RAFT_SEED, RAFT_VOTERS) or the inline data.</summary>
    [Theory]
    [InlineData(1, 3)]
    [InlineData(100_001, 5)]
    public void Seed(int seed, int voters)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("RAFT_SEED"), out var envSeed))
        {
            seed = envSeed;
            voters = int.TryParse(Environment.GetEnvironmentVariable("RAFT_VOTERS"), out var v) ? v : voters;
        }
        var preVote = Environment.GetEnvironmentVariable("RAFT_PREVOTE") != "0";
        var error = SimulationRunner.RunOne(new SimOptions(seed, voters) { PreVote = preVote });
        Assert.True(error is null, error);
    }

    [Fact]
    public void A_seed_replays_the_same_run()
    {
        static string Run()
        {
            var sim = new Simulator(new SimOptions(4242, 5));
            sim.Run();
            return $"{sim.EventCount} events, {sim.Checker.Elections} elections, {sim.Checker.CommittedCount} committed, {sim.Stats}";
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void The_faults_reach_every_recovery_path()
    {
        // A simulation that never truncates, installs a snapshot or crashes mid-flush proves little.
        var total = new Simulator.SimStats();
        long elections = 0, committed = 0;
        for (var seed = 1; seed <= 20; seed++)
        {
            var sim = new Simulator(new SimOptions(seed, seed % 2 == 0 ? 3 : 5));
            sim.Run();
            var s = sim.Stats;
            total.Crashes += s.Crashes; total.CrashesMidFlush += s.CrashesMidFlush; total.Truncations += s.Truncations;
            total.SnapshotInstalls += s.SnapshotInstalls; total.SnapshotsTaken += s.SnapshotsTaken; total.Resignations += s.Resignations;
            elections += sim.Checker.Elections;
            committed += sim.Checker.CommittedCount;
        }
        var summary = $"{total}, elections {elections}, committed {committed}";
        Assert.True(total.Crashes > 0 && total.CrashesMidFlush > 0 && total.Truncations > 0 && total.SnapshotInstalls > 0
                    && total.Resignations > 0 && elections > 40 && committed > 1000, summary);
    }

    [Fact]
    public void Checker_catches_a_candidate_that_lies_about_its_log()
    {
        // Voters then grant votes without a real log check: some run must break leader completeness.
        var caught = Enumerable.Range(1, 200)
            .Select(seed => SimulationRunner.RunOne(new SimOptions(seed, 3) { LyingCandidate = 1 }))
            .FirstOrDefault(e => e is not null && e.Contains("completeness"));
        Assert.NotNull(caught);
    }

    [Fact]
    public void Checker_catches_a_voter_that_forgets_its_vote_on_restart()
    {
        // A forgetful voter and frequent crashes: some run must break a safety property.
        var caught = Enumerable.Range(1, 300)
            .Select(seed => SimulationRunner.RunOne(new SimOptions(seed, 3) { ForgetsVotes = 2, CrashPerSecond = 3 }))
            .FirstOrDefault(e => e is not null && (e.Contains("election safety") || e.Contains("completeness")));
        Assert.NotNull(caught);
    }
}
