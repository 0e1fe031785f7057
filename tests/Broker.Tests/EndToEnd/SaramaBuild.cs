namespace Broker.Broker.Tests.EndToEnd;

/// <summary>
/// Builds the Sarama client (clients/sarama/main.go) once per test run, against the Go packages
/// Debian installs under /usr/share/gocode (test.sh installs golang-go and golang-github-shopify-sarama-dev).
/// </summary>
public static class SaramaBuild
{
    public static string BinaryPath { get; } = Path.Combine(AppContext.BaseDirectory, "sarama-client");

    private static readonly Lazy<Task> Build = new(BuildAsync);

    public static Task EnsureBuiltAsync() => Build.Value;

    private static async Task BuildAsync()
    {
        var source = Path.Combine(Clients.ScriptDirectory, "sarama", "main.go");
        var result = await ClientProcess.RunAsync("go", ["build", "-o", BinaryPath, source], deadline: TimeSpan.FromMinutes(5),
            environment: new Dictionary<string, string>
            {
                ["GO111MODULE"] = "off",
                ["GOPATH"] = "/usr/share/gocode",
                // The build cache next to the binary: the machine's home may not be writable.
                ["GOCACHE"] = Path.Combine(AppContext.BaseDirectory, "go-build-cache"),
            });
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"Building the Sarama client failed:\n{result}");
    }
}
