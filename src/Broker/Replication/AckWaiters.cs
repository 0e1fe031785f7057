using Broker.Protocol;

namespace Broker.Replication;

/// <summary>
/// Produce requests with acks=all waiting for the high watermark to reach their last offset (Kafka's
/// delayed produce). The partition re-checks them whenever the high watermark, the ISR or the
/// leadership changes; a request that gives up (its timeout) removes itself.
/// </summary>
internal sealed class AckWaiters
{
    private readonly List<Waiter> _waiting = [];

    private sealed class Waiter(long requiredOffset, int leaderEpoch)
    {
        public readonly long RequiredOffset = requiredOffset;
        public readonly int LeaderEpoch = leaderEpoch;
        public readonly TaskCompletionSource<ErrorCode> Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public CancellationTokenRegistration Registration;
    }

    /// <summary>Waits until <paramref name="check"/> answers for <paramref name="requiredOffset"/>; REQUEST_TIMED_OUT when <paramref name="cancel"/> fires first.</summary>
    public Task<ErrorCode> Add(long requiredOffset, int leaderEpoch, CancellationToken cancel)
    {
        var waiter = new Waiter(requiredOffset, leaderEpoch);
        lock (_waiting)
            _waiting.Add(waiter);
        waiter.Registration = cancel.Register(static state =>
        {
            var (self, w) = ((AckWaiters, Waiter))state!;
            lock (self._waiting)
                self._waiting.Remove(w);
            w.Done.TrySetResult(ErrorCode.RequestTimedOut);
        }, (this, waiter));
        return waiter.Done.Task;
    }

    /// <summary>
    /// Completes every waiter <paramref name="check"/> has an answer for (null = keep waiting),
    /// given the required offset and the leader epoch the append was made in.
    /// </summary>
    public void Check(Func<long, int, ErrorCode?> check)
    {
        List<(Waiter, ErrorCode)>? done = null;
        lock (_waiting)
        {
            for (var i = _waiting.Count - 1; i >= 0; i--)
            {
                var w = _waiting[i];
                if (check(w.RequiredOffset, w.LeaderEpoch) is not { } result)
                    continue;
                _waiting.RemoveAt(i);
                (done ??= []).Add((w, result));
            }
        }
        if (done is null)
            return;
        foreach (var (w, result) in done)
        {
            w.Registration.Dispose();
            w.Done.TrySetResult(result);
        }
    }
}
