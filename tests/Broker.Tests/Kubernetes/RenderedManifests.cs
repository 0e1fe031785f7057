using Broker.Broker.Tests.EndToEnd;
using k8s;
using k8s.Models;

namespace Broker.Broker.Tests.Kubernetes;

/// <summary>One overlay of k8s/ rendered by <c>kubectl kustomize</c> and parsed strictly by the KubernetesClient models.</summary>
public sealed class RenderedManifests
{
    public static readonly string[] Overlays = ["dev", "prod", "external", "split-roles"];

    private RenderedManifests(string overlay, string yaml, IReadOnlyList<object> objects)
    {
        Overlay = overlay;
        Yaml = yaml;
        Objects = objects;
    }

    public string Overlay { get; }
    public string Yaml { get; }
    public IReadOnlyList<object> Objects { get; }

    public static string OverlayDirectory(string overlay) => Path.Combine(Clients.RepoRoot, "k8s", "overlays", overlay);

    public static async Task<RenderedManifests> RenderAsync(string overlay)
    {
        var result = await ClientProcess.RunAsync("kubectl", ["kustomize", OverlayDirectory(overlay)]);
        Assert.True(result.ExitCode == 0, result.ToString());
        // strict: an unknown field (a typo such as "terminationGracePeriod") fails the parse.
        var objects = KubernetesYaml.LoadAllFromString(result.Stdout, strict: true);
        return new RenderedManifests(overlay, result.Stdout, objects);
    }

    public IEnumerable<V1StatefulSet> StatefulSets => Objects.OfType<V1StatefulSet>();
    public IEnumerable<V1Service> Services => Objects.OfType<V1Service>();
    public IEnumerable<V1PodDisruptionBudget> Budgets => Objects.OfType<V1PodDisruptionBudget>();

    public V1StatefulSet StatefulSet(string name) => StatefulSets.Single(s => s.Metadata.Name == name);
    public V1Service Service(string name) => Services.Single(s => s.Metadata.Name == name);

    public static bool Selects(IDictionary<string, string>? selector, IDictionary<string, string> labels) =>
        selector is { Count: > 0 } && selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);
}
