using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Broker.Broker.Tests.EndToEnd;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.Container;

/// <summary>
/// The broker image (docker/Containerfile) run alone: configured from KAFKA_* variables only,
/// formatting its volume from CLUSTER_ID, read-only root, non-root; kcat on the host produces and
/// consumes; podman stop (SIGTERM to PID 1) ends in a clean exit; a volume of another cluster is
/// refused with one clear error.
/// </summary>
[Collection(ContainerCollection.Name)]
public class ImageTests(ITestOutputHelper output)
{
    private const string ClusterId = "mXU05jjskY2QNA4g7LtUIA";

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string[] RunArgs(string name, string volume, int port, string clusterId) =>
    [
        "run", "-d", "--name", name, "--read-only", "-p", $"127.0.0.1:{port}:9092", "-v", $"{volume}:/var/lib/kafka/data",
        "-e", "KAFKA_NODE_ID=1", "-e", "KAFKA_PROCESS_ROLES=broker,controller",
        "-e", "KAFKA_CONTROLLER_QUORUM_VOTERS=1@localhost:9093", "-e", "KAFKA_CONTROLLER_LISTENER_NAMES=CONTROLLER",
        "-e", "KAFKA_LISTENERS=PLAINTEXT://:9092,CONTROLLER://:9093",
        "-e", "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "-e", $"KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://127.0.0.1:{port}",
        "-e", "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=1",
        "-e", $"CLUSTER_ID={clusterId}",
        ContainerImages.Broker,
    ];

    [FactWhenPodmanRuns]
    public async Task The_image_serves_kcat_stops_cleanly_and_refuses_a_foreign_volume()
    {
        var images = await ContainerImages.BuildAsync();
        output.WriteLine(images.BuildOutput);
        output.WriteLine($"image size: {images.BrokerBytes / 1_000_000.0:F1} MB");
        var name = $"kafka-image-test-{System.Environment.ProcessId}";
        var volume = $"{name}-data";
        await Podman.RunAsync("rm", "-f", name);
        await Podman.RunAsync("volume", "rm", "-f", volume);
        try
        {
            var user = await Podman.SucceedAsync("image", "inspect", ContainerImages.Broker, "--format", "{{.Config.User}}");
            Assert.Equal("1000:1000", user);

            var port = FreeLoopbackPort();
            var started = Stopwatch.StartNew();
            await Podman.SucceedAsync(RunArgs(name, volume, port, ClusterId));
            var bootstrap = $"127.0.0.1:{port}";
            await WaitForMetadataAsync(bootstrap, name);
            output.WriteLine($"start-up (podman run to metadata answered): {started.ElapsedMilliseconds} ms");

            var produced = await ClientProcess.RunAsync("kcat", ["-b", bootstrap, "-P", "-t", "image-topic", "-X", "acks=all"], "one\ntwo\nthree\n");
            Assert.True(produced.ExitCode == 0, produced.ToString());
            Assert.Equal(["one", "two", "three"], await ConsumeAsync(bootstrap, 3));

            var stopping = Stopwatch.StartNew();
            await Podman.SucceedAsync("stop", "-t", "30", name);
            output.WriteLine($"podman stop: {stopping.ElapsedMilliseconds} ms");
            // 0, not 137: the broker ended on SIGTERM by itself, before podman's SIGKILL.
            Assert.Equal("0", await Podman.SucceedAsync("inspect", name, "--format", "{{.State.ExitCode}}"));
            var logs = await Podman.RunAsync("logs", name);
            Assert.Contains($"Formatted /var/lib/kafka/data with cluster id {ClusterId}", logs.Stdout + logs.Stderr);
            await Podman.SucceedAsync("rm", name);

            // The same volume again: already formatted for this cluster, the records are still there.
            await Podman.SucceedAsync(RunArgs(name, volume, port, ClusterId));
            await WaitForMetadataAsync(bootstrap, name);
            Assert.Equal(["one", "two", "three"], await ConsumeAsync(bootstrap, 3));
            await Podman.SucceedAsync("stop", "-t", "30", name);
            await Podman.SucceedAsync("rm", name);

            // A volume of another cluster: refused, with one error line naming both ids.
            await Podman.SucceedAsync(RunArgs(name, volume, port, "AAAAAAAAAAAAAAAAAAAAAA"));
            var exit = await Podman.SucceedAsync(TimeSpan.FromSeconds(60), "wait", name);
            Assert.NotEqual("0", exit);
            var refused = await Podman.RunAsync("logs", name);
            var errors = (refused.Stdout + refused.Stderr).Split('\n').Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).ToArray();
            var error = Assert.Single(errors);
            Assert.Contains(ClusterId, error);
            Assert.Contains("AAAAAAAAAAAAAAAAAAAAAA", error);
        }
        finally
        {
            await Podman.RunAsync("rm", "-f", "-t", "0", name);
            await Podman.RunAsync("volume", "rm", "-f", volume);
        }
    }

    private static async Task WaitForMetadataAsync(string bootstrap, string container)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var metadata = await ClientProcess.RunAsync("kcat", ["-b", bootstrap, "-L", "-m", "2"], deadline: TimeSpan.FromSeconds(10));
            if (metadata.ExitCode == 0 && metadata.Stdout.Contains("1 brokers", StringComparison.Ordinal))
                return;
            if (DateTime.UtcNow > deadline)
            {
                var logs = await Podman.RunAsync("logs", container);
                Assert.Fail($"no metadata from {bootstrap} within 60 s\n{metadata}\ncontainer log:\n{logs.Stdout}{logs.Stderr}");
            }
            await Task.Delay(200);
        }
    }

    private static async Task<string[]> ConsumeAsync(string bootstrap, int count)
    {
        var consumed = await ClientProcess.RunAsync("kcat", ["-b", bootstrap, "-C", "-t", "image-topic", "-o", "beginning", "-c", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "-e"]);
        Assert.True(consumed.ExitCode == 0, consumed.ToString());
        return consumed.Lines.ToArray();
    }
}

[CollectionDefinition(Name)]
public sealed class ContainerCollection
{
    /// <summary>The container tests share the images and podman, one at a time.</summary>
    public const string Name = "Containers";
}
