using Broker.Broker.Tests.EndToEnd;

namespace Broker.Broker.Tests.Container;

/// <summary>podman with the tests' settings (containers.conf), and whether it can run here at all.</summary>
public static class Podman
{
    public static string ConfigFile => Path.Combine(Clients.RepoRoot, "tests", "Broker.Tests", "Container", "containers.conf");

    public static IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["CONTAINERS_CONF"] = ConfigFile };

    private static readonly Lazy<string?> WhyNot = new(() =>
    {
        try
        {
            var info = ClientProcess.RunAsync("podman", ["info", "--format", "{{.Host.OCIRuntime.Name}}"], environment: Environment).GetAwaiter().GetResult();
            return info.ExitCode == 0 ? null : $"podman cannot run here: {info.Stderr.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"podman is not installed ({e.Message}); ./test.sh installs it from Debian";
        }
    });

    /// <summary>Why the container tests cannot run on this machine, or null when they can.</summary>
    public static string? Unavailable => WhyNot.Value;

    public static Task<ClientResult> RunAsync(params string[] args) => RunAsync(TimeSpan.FromSeconds(120), args);

    public static Task<ClientResult> RunAsync(TimeSpan deadline, params string[] args) =>
        ClientProcess.RunAsync("podman", args, deadline: deadline, environment: Environment);

    public static Task<string> SucceedAsync(params string[] args) => SucceedAsync(TimeSpan.FromSeconds(120), args);

    public static async Task<string> SucceedAsync(TimeSpan deadline, params string[] args)
    {
        var result = await RunAsync(deadline, args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout.Trim();
    }

    /// <summary>Runs a repository script (docker/…) with podman's settings; fails the test with its output.</summary>
    public static async Task<ClientResult> ScriptAsync(string script, TimeSpan deadline, params string[] args)
    {
        var result = await ClientProcess.RunAsync(Path.Combine(Clients.RepoRoot, script), args, deadline: deadline,
            environment: Environment, workingDirectory: Clients.RepoRoot);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }
}

/// <summary>A fact skipped, saying why, where podman cannot run (never silently: the reason is the skip message).</summary>
public sealed class FactWhenPodmanRunsAttribute : FactAttribute
{
    public FactWhenPodmanRunsAttribute()
    {
        if (Podman.Unavailable is { } reason)
            Skip = reason;
    }
}
