using System.Diagnostics;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>A small tmpfs mounted on a directory, so a test can fill a log directory's disk (needs root).</summary>
public static class Tmpfs
{
    public static void Mount(string path, string size) =>
        Assert.True(Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", path) == 0, "mounting a tmpfs needs root");

    public static void Unmount(string path) => Run("umount", "-l", path);

    /// <summary>Writes <paramref name="path"/> until the filesystem has no space left; returns the bytes written.</summary>
    public static long FillUp(string path)
    {
        var chunk = new byte[64 * 1024];
        long written = 0;
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        try
        {
            while (true)
            {
                file.Write(chunk);
                written += chunk.Length;
            }
        }
        catch (IOException)
        {
            return written;
        }
    }

    private static int Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        process.WaitForExit();
        return process.ExitCode;
    }
}
