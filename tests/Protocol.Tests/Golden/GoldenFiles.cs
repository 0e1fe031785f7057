namespace Broker.Protocol.Tests.Golden;

/// <summary>Where the committed golden frames and the client scripts live.</summary>
internal static class GoldenFiles
{
    /// <summary>
    /// Set to a directory to have the live client tests write the frames they capture there, named
    /// as in captured/INDEX.md: that is how the committed files were made and how to refresh them.
    /// </summary>
    public const string CaptureDirectoryVariable = "BROKER_GOLDEN_CAPTURE_DIR";

    /// <summary>Committed frames, copied next to the test assembly by the project file.</summary>
    public static string CapturedDirectory => Path.Combine(AppContext.BaseDirectory, "Golden", "captured");

    public static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(CapturedDirectory, name));

    public static void SaveIfRequested(string name, CapturedRequest request)
    {
        var directory = Environment.GetEnvironmentVariable(CaptureDirectoryVariable);
        if (string.IsNullOrEmpty(directory))
            return;
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, name), request.Frame);
    }

    /// <summary>The checkout root, found from the test assembly upwards.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Broker.sln")))
                    return dir.FullName;
            }
            throw new DirectoryNotFoundException($"No Broker.sln above {AppContext.BaseDirectory}.");
        }
    }

    public static string ClientScript(string name) =>
        Path.Combine(RepositoryRoot, "tests", "Protocol.Tests", "Golden", "clients", name);
}
