namespace Broker.Broker.Tests.Replication.Simulation;

/// <summary>
/// Many seeds of the replication simulation. A failure names its seed; replay one with
/// <c>REPL_SEED=&lt;n&gt; dotnet test tests/Broker.Tests --filter ReplicationSimulationReplay</c>,
/// or soak longer with <c>REPL_SIM_SEEDS=&lt;n&gt;</c>.
/// </summary>
public static class ReplicationSimulationRunner
{
    public static string? RunOne(ReplSimOptions options)
    {
        try
        {
            using var sim = new ReplicationSimulator(options);
            sim.Run();
            return null;
        }
        catch (Exception e)
        {
            return $"seed {options.Seed}{(options.BrokenLeader ? " (broken leader)" : "")}: {e.GetType().Name}: {e.Message}" +
                   (e is ReplicationFailure ? "" : "\n" + e.StackTrace);
        }
    }
}

public class ReplicationSimulationTests
{
    [Fact]
    public void Five_hundred_seeds_keep_acknowledged_records_and_replicas_safe()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("REPL_SIM_SEEDS"), out var soak) ? soak : 500;
        var failures = Enumerable.Range(1, count).Select(seed => ReplicationSimulationRunner.RunOne(new ReplSimOptions(seed)))
            .OfType<string>().ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} of {count} seeds failed:\n" + string.Join("\n", failures.Take(10)));
    }

    [Fact]
    public void Two_hundred_seeds_with_frequent_crashes_stay_safe()
    {
        var failures = Enumerable.Range(10_001, 200)
            .Select(seed => ReplicationSimulationRunner.RunOne(new ReplSimOptions(seed) { CrashPerStep = 0.03 }))
            .OfType<string>().ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} of 200 seeds failed:\n" + string.Join("\n", failures.Take(10)));
    }

    [Fact]
    public void The_faults_reach_crashes_elections_truncations_and_acks()
    {
        // A simulation that never crashes a leader, truncates a follower or acknowledges anything proves little.
        var total = new ReplicationSimulator.SimStats();
        for (var seed = 1; seed <= 20; seed++)
        {
            using var sim = new ReplicationSimulator(new ReplSimOptions(seed));
            sim.Run();
            total.Crashes += sim.Stats.Crashes; total.Elections += sim.Stats.Elections; total.Truncations += sim.Stats.Truncations;
            total.IsrChanges += sim.Stats.IsrChanges; total.Acked += sim.Stats.Acked; total.Lost += sim.Stats.Lost;
        }
        Assert.True(total.Crashes > 20 && total.Elections > 40 && total.Truncations > 0 && total.IsrChanges > 20 && total.Acked > 1000,
            total.ToString());
    }

    [Fact]
    public void A_seed_replays_the_same_run()
    {
        static string Run()
        {
            using var sim = new ReplicationSimulator(new ReplSimOptions(4242));
            sim.Run();
            return $"{sim.Stats}, acked {sim.Checker.AckedCount}";
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void Checker_catches_a_leader_that_commits_without_its_followers()
    {
        var caught = Enumerable.Range(1, 100)
            .Select(seed => ReplicationSimulationRunner.RunOne(new ReplSimOptions(seed) { BrokenLeader = true }))
            .FirstOrDefault(e => e is not null && e.Contains("acknowledged batch"));
        Assert.NotNull(caught);
    }
}

public class ReplicationSimulationReplay
{
    /// <summary>Replays one seed: REPL_SEED from the environment, or the inline data.</summary>
    [Theory]
    [InlineData(1)]
    public void Seed(int seed)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("REPL_SEED"), out var envSeed))
            seed = envSeed;
        var error = ReplicationSimulationRunner.RunOne(new ReplSimOptions(seed));
        Assert.True(error is null, error);
    }
}
