using Broker.Log;

namespace Broker.Cli;

/// <summary><c>log verify &lt;log dir&gt;...</c>: decode every stored record of every partition offline.</summary>
public sealed record LogVerifyCommand(IReadOnlyList<string> LogDirectories) : CliCommand
{
    public const string Usage = "Usage: Broker log verify <log dir>...   decode every stored batch and record; exit 1 if any does not decode";

    public static LogVerifyCommand Parse(IReadOnlyList<string> args)
    {
        if (args.Count < 2 || args[0] != "verify")
            throw new CliUsageException("log expects: verify <log dir>...");
        var directories = args.Skip(1).ToArray();
        if (directories.FirstOrDefault(d => d.StartsWith('-')) is { } option)
            throw new CliUsageException($"Unknown option '{option}'.");
        return new LogVerifyCommand(directories);
    }

    public int Run(TextWriter output)
    {
        var missing = LogDirectories.FirstOrDefault(d => !Directory.Exists(d));
        if (missing is not null)
            throw new IOException($"Log directory {missing} does not exist.");
        var result = LogVerifier.Verify(LogDirectories);
        foreach (var problem in result.Problems)
            output.WriteLine(problem);
        output.WriteLine($"Verified {result.Batches} batches and {result.Records} records in {result.Partitions} partitions: {result.Problems.Count} undecodable.");
        return result.Problems.Count == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
