namespace Broker.Broker.Tests.Cluster;

/// <summary>Broker settings and helpers the replication fault tests share.</summary>
public static class FaultSettings
{
    /// <summary>
    /// A killed broker is fenced, and its partitions get new leaders, once its session expires:
    /// <c>broker.session.timeout.ms</c> lowered from 9 s to 3 s (heartbeats every 500 ms) so ten kill
    /// rounds fit in about two minutes. Everything else keeps its default.
    /// </summary>
    public static readonly string[] FastFencing = ["broker.session.timeout.ms=3000", "broker.heartbeat.interval.ms=500"];

    /// <summary>
    /// Skip reason of the fault tests until broker-side replication (issue 15) is merged: without it
    /// they fail by design (records lost, ISR never restored, an isolated leader acknowledging writes).
    /// </summary>
    public const string AwaitingReplication = "issue 15: waits for broker-side replication; on a main without it acknowledged records are lost by design";

    /// <summary>
    /// The xUnit collection of the fault tests: they run one after another, never side by side, since
    /// each is three broker processes and busy clients, and starving a node of CPU would fence it.
    /// </summary>
    public const string Collection = "replication fault tests";

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..16];

    public static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
