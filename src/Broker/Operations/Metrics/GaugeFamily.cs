using Prometheus;

namespace Broker.Operations.Metrics;

/// <summary>
/// A labelled gauge recomputed in full at every scrape: series whose labels are gone (a deleted
/// topic, a group that disappeared) are removed, not left at their last value.
/// </summary>
internal sealed class GaugeFamily(Gauge gauge)
{
    private Dictionary<string, string[]> _shown = new(StringComparer.Ordinal);
    private Dictionary<string, string[]> _next = new(StringComparer.Ordinal);

    public void Set(double value, params string[] labels)
    {
        _next[string.Join('\u0001', labels)] = labels;
        gauge.WithLabels(labels).Set(value);
    }

    /// <summary>Ends one scrape's update: removes the series not set since the last <see cref="Commit"/>.</summary>
    public void Commit()
    {
        foreach (var (key, labels) in _shown)
        {
            if (!_next.ContainsKey(key))
                gauge.RemoveLabelled(labels);
        }
        (_shown, _next) = (_next, _shown);
        _next.Clear();
    }
}
