using System.Diagnostics;

namespace Broker.Protocol.Tests.Compression;

/// <summary>Runs a command-line codec (zstd, lz4, gzip) as a filter: bytes in on stdin, bytes out on stdout.</summary>
internal static class CliTool
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static byte[] Filter(string program, string arguments, byte[] input)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        // Feed and drain concurrently: a filter blocks on a full stdout pipe while we block on stdin.
        var feed = Task.Run(() =>
        {
            process.StandardInput.BaseStream.Write(input);
            process.StandardInput.Close();
        });
        var output = new MemoryStream();
        var drain = process.StandardOutput.BaseStream.CopyToAsync(output);
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {arguments} did not finish within {Timeout}.");
        }
        Task.WaitAll(feed, drain, errors);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {arguments} exited with {process.ExitCode}: {errors.Result}");
        return output.ToArray();
    }
}
