using Broker.Cli;

namespace Broker.Broker.Tests.Cluster;

/// <summary>Runs <c>Broker quorum ...</c> in-process and returns what it printed; a non-zero exit fails the test.</summary>
public static class QuorumCli
{
    public static async Task<string> RunAsync(params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter();
        var code = await CliApp.RunAsync(["quorum", .. args], new Dictionary<string, string>(), output, error);
        Assert.True(code == 0, $"quorum {string.Join(" ", args)} exited with {code}: {error}");
        return output.ToString();
    }
}
