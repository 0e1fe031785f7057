namespace Broker.Log;

/// <summary>
/// Producer sequence numbers are 31-bit counters that wrap from <see cref="int.MaxValue"/> to 0,
/// so a long-lived producer never runs out of them.
/// </summary>
public static class ProducerSequence
{
    /// <summary>The sequence <paramref name="delta"/> after <paramref name="sequence"/>, wrapping past int.MaxValue to 0.</summary>
    public static int Increment(int sequence, int delta) =>
        sequence > int.MaxValue - delta ? delta - (int.MaxValue - sequence) - 1 : sequence + delta;

    /// <summary>The sequence <paramref name="delta"/> before <paramref name="sequence"/>, wrapping below 0 to int.MaxValue.</summary>
    public static int Decrement(int sequence, int delta) =>
        sequence - delta < 0 ? int.MaxValue - (delta - sequence) + 1 : sequence - delta;

    /// <summary>Whether <paramref name="next"/> directly follows <paramref name="last"/>.</summary>
    public static bool Follows(int last, int next) => next == last + 1L || (next == 0 && last == int.MaxValue);
}
