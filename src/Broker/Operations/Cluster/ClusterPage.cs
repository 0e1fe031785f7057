namespace Broker.Operations.Cluster;

/// <summary>The cluster page: one static HTML file with inline script and style, embedded in the assembly (no build step, no external assets).</summary>
public static class ClusterPage
{
    private const string ResourceName = "Broker.Operations.Cluster.cluster.html";

    public static byte[] Html { get; } = Load();

    private static byte[] Load()
    {
        using var stream = typeof(ClusterPage).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
