namespace Broker.Handlers;

/// <summary>Bounds on how long a fetch may hold its connection waiting for data.</summary>
public static class FetchLimits
{
    /// <summary>
    /// A fetch waits at most this long for MinBytes, whatever MaxWaitMs says: clients ask for well
    /// under a second (fetch.max.wait.ms 500, replica.fetch.wait.max.ms 500), and their request
    /// timeouts are 30 s, so a longer wait only pins a connection.
    /// </summary>
    public const int MaxWaitMs = 30_000;

    /// <summary>Sleeps until one of <paramref name="signals"/> fires, <paramref name="remainingMs"/> pass, or the request is cancelled.</summary>
    public static async Task WaitForAnyAsync(IEnumerable<Task> signals, long remainingMs, CancellationToken cancel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(remainingMs));
        await Task.WhenAny(signals.Append(Task.Delay(Timeout.Infinite, timeout.Token))).ConfigureAwait(false);
    }
}
