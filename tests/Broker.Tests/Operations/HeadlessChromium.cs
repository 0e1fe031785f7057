using Broker.Broker.Tests.EndToEnd;

namespace Broker.Broker.Tests.Operations;

/// <summary>
/// Debian's chromium in headless mode: the page's script runs (its timers under a virtual time
/// budget, its fetches for real) before the DOM is dumped or the screenshot taken. As root it needs
/// --no-sandbox.
/// </summary>
public static class HeadlessChromium
{
    private static readonly string[] Common = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"];

    public static async Task<string> DumpDomAsync(string url, int virtualTimeMs)
    {
        var result = await ClientProcess.RunAsync("chromium", [.. Common, $"--virtual-time-budget={virtualTimeMs}", "--dump-dom", url]);
        Assert.True(result.ExitCode == 0, $"chromium --dump-dom failed:\n{result}");
        return result.Stdout;
    }

    public static async Task ScreenshotAsync(string url, int virtualTimeMs, string file)
    {
        using var profile = new Storage.TempDirectory();
        var result = await ClientProcess.RunAsync("chromium",
            [.. Common, $"--virtual-time-budget={virtualTimeMs}", "--window-size=1280,1400", $"--screenshot={file}", url],
            workingDirectory: profile.Path);
        Assert.True(result.ExitCode == 0 && File.Exists(file), $"chromium --screenshot failed:\n{result}");
    }
}
