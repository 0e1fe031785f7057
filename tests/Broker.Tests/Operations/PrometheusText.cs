using System.Text.Json;
using Broker.Broker.Tests.EndToEnd;

namespace Broker.Broker.Tests.Operations;

/// <summary>A /metrics scrape as the reference parser (Debian's python3-prometheus-client) reads it.</summary>
public sealed class PrometheusText
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    private PrometheusText(List<Sample> samples) => Samples = samples;

    public IReadOnlyList<Sample> Samples { get; }

    public static string Script(string name) => Path.Combine(Clients.RepoRoot, "tests", "Broker.Tests", "Operations", "clients", name);

    /// <summary>Parses <paramref name="text"/>; fails the test when the parser refuses it.</summary>
    public static async Task<PrometheusText> ParseAsync(string text)
    {
        var result = await ClientProcess.RunAsync("/usr/bin/python3", [Script("parse_metrics.py")], text);
        Assert.True(result.ExitCode == 0, $"The Prometheus parser refused the scrape:\n{result}\n--- scrape ---\n{text}");
        var samples = result.Lines.Select(line =>
        {
            var json = JsonDocument.Parse(line).RootElement;
            var labels = json.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
            return new Sample(json.GetProperty("name").GetString()!, labels, json.GetProperty("value").GetDouble());
        }).ToList();
        return new PrometheusText(samples);
    }

    /// <summary>The value of the one sample named <paramref name="name"/> with (at least) these labels; null when there is none.</summary>
    public double? Value(string name, params (string Label, string Value)[] labels) =>
        Samples.SingleOrDefault(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Label) == l.Value))?.Value;
}
