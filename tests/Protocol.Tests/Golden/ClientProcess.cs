using System.Diagnostics;

namespace Broker.Protocol.Tests.Golden;

internal sealed record ClientRun(string Command, int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() =>
        $"`{Command}` exited with {ExitCode}.\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>Runs a real client to completion under a deadline and keeps everything it printed.</summary>
internal static class ClientProcess
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(60);

    /// <exception cref="TimeoutException">The client did not exit in time; it has been killed and the message holds its output.</exception>
    public static async Task<ClientRun> RunAsync(
        string program, IEnumerable<string> arguments, string? stdin = null,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null, TimeSpan? deadline = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        string command = $"{program} {string.Join(' ', start.ArgumentList)}";

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Cannot start {program} ({e.Message}); ./test.sh installs the clients.", e);
        }
        // Drained concurrently: a client that fills a pipe nobody reads would hang and look like a protocol bug.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
            await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();

        var limit = deadline ?? DefaultDeadline;
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"Killed after {limit}: {new ClientRun(command, -1, await stdout, await stderr)}");
        }
        return new ClientRun(command, process.ExitCode, await stdout, await stderr);
    }
}
