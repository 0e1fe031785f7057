namespace Broker.Broker.Tests.Container;

/// <summary>
/// The images the container tests use, built once per test run: the broker image from
/// docker/Containerfile (docker/build-image.sh: local base, cached NativeAOT publish) and the
/// clients image (kcat, confluent-kafka, curl) on the same base.
/// </summary>
public sealed class ContainerImages
{
    public const string Broker = "localhost/kafka-broker:test";
    public const string Tools = "localhost/broker-tools:test";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static ContainerImages? _built;

    private ContainerImages(string buildOutput, long brokerBytes)
    {
        BuildOutput = buildOutput;
        BrokerBytes = brokerBytes;
    }

    /// <summary>What build-image.sh printed (publish time, image and binary sizes).</summary>
    public string BuildOutput { get; }

    public long BrokerBytes { get; }

    public static async Task<ContainerImages> BuildAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_built is not null)
                return _built;
            // The first run on a machine publishes the broker with NativeAOT (minutes, mostly waiting for the build lock).
            var build = await Podman.ScriptAsync("docker/build-image.sh", TimeSpan.FromMinutes(25), Broker);
            var tools = Path.Combine(EndToEnd.Clients.RepoRoot, "tests", "Broker.Tests", "Container", "tools");
            await Podman.SucceedAsync(TimeSpan.FromMinutes(10), "build", "-q", "-f", Path.Combine(tools, "Containerfile"), "-t", Tools, tools);
            var size = long.Parse(await Podman.SucceedAsync("image", "inspect", Broker, "--format", "{{.Size}}"), System.Globalization.CultureInfo.InvariantCulture);
            return _built = new ContainerImages(build.Stdout.Trim(), size);
        }
        finally
        {
            Gate.Release();
        }
    }
}
