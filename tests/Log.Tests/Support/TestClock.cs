namespace Broker.Log.Tests.Support;

/// <summary>A clock tests move by hand.</summary>
internal sealed class TestClock : TimeProvider
{
    public long NowMs { get; set; } = 1_700_000_000_000;

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(NowMs);

    public void Advance(long ms) => NowMs += ms;
}
