using System.Diagnostics;
using Broker.Replication;
using Microsoft.Extensions.Logging;

namespace Broker.Hosting;

/// <summary>
/// The broker's half of a controlled shutdown (SIGTERM), bounded by <c>controlled.shutdown.timeout.ms</c>:
/// says what it waits for (the leaderships and ISR memberships the controller must move away), and
/// afterwards how long it waited and what this node still leads.
/// </summary>
public static class ControlledShutdown
{
    public static async Task RunAsync(BrokerLifecycleManager lifecycle, ReplicaManager replicas, TimeSpan bound, ILogger logger)
    {
        var led = Led(replicas);
        var followed = replicas.All.Count(p => p.Role == PartitionRole.Follower);
        logger.LogInformation(
            "Controlled shutdown: waiting up to {Bound} ms for the controller to move the leadership of {Led} replicated partition(s) " +
            "led here{List} and to take this broker out of the ISR of {Followed} partition(s) it follows",
            bound.TotalMilliseconds, led.Count, Describe(led), followed);
        var clock = Stopwatch.StartNew();
        var confirmed = await lifecycle.ShutDownAsync(bound).ConfigureAwait(false);
        var left = Led(replicas);
        switch (confirmed)
        {
            case null:
                logger.LogInformation("Controlled shutdown: never unfenced, so nothing to hand over");
                break;
            case true:
                logger.LogInformation("Controlled shutdown confirmed by the controller after {Elapsed} ms; still leading {Left} replicated partition(s){List}",
                    clock.ElapsedMilliseconds, left.Count, Describe(left));
                break;
            default:
                logger.LogWarning(
                    "The controller did not confirm the controlled shutdown within controlled.shutdown.timeout.ms ({Bound} ms); " +
                    "stopping anyway while leading {Left} replicated partition(s){List}",
                    bound.TotalMilliseconds, left.Count, Describe(left));
                break;
        }
    }

    /// <summary>Partitions with followers that this node leads: single-replica ones have nowhere to go.</summary>
    private static List<string> Led(ReplicaManager replicas) =>
        replicas.All.Where(p => p.Role == PartitionRole.Leader && p.Replicas.Count > 1).Select(p => p.Id.ToString()).Order().ToList();

    private static string Describe(List<string> partitions) =>
        partitions.Count == 0 ? "" : $" ({string.Join(", ", partitions.Take(10))}{(partitions.Count > 10 ? ", ..." : "")})";
}
