using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Broker.Broker.Tests.Cli;

/// <summary>
/// The built broker executable run as a child process (<c>dotnet Broker.dll ...</c>), with its
/// output collected and conditions awaited with deadlines instead of sleeps.
/// </summary>
internal sealed partial class BrokerProcess : IDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];

    private BrokerProcess(Process process) => _process = process;

    public int Id => _process.Id;

    /// <summary>Broker.dll is copied next to the tests because the test project references src/Broker.</summary>
    public static string BrokerDll => Path.Combine(AppContext.BaseDirectory, "Broker.dll");

    public static BrokerProcess Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Start(workingDirectory, environment, [], args);

    /// <summary>
    /// Starts <c>launcher... dotnet Broker.dll args</c>: a launcher that execs its command (such as
    /// <c>ip netns exec NAME</c>) keeps the process id, so signals still reach the broker.
    /// </summary>
    public static BrokerProcess Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment, string[] launcher, string[] args)
    {
        var info = new ProcessStartInfo(launcher.Length == 0 ? "dotnet" : launcher[0])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var word in launcher.Skip(1).Concat(launcher.Length == 0 ? [] : ["dotnet"]))
            info.ArgumentList.Add(word);
        info.ArgumentList.Add(BrokerDll);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        // The machine's own KAFKA_* or CLUSTER_ID would change what the node does.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("KAFKA_", StringComparison.Ordinal) || k == "CLUSTER_ID").ToArray())
            info.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var broker = new BrokerProcess(process);
        process.OutputDataReceived += (_, e) => broker.Append(broker._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => broker.Append(broker._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return broker;
    }

    /// <summary>Runs to completion and returns exit code and output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string workingDirectory, params string[] args)
    {
        using var broker = Start(workingDirectory, null, args);
        var exitCode = await broker.WaitForExitAsync();
        return (exitCode, broker.Stdout, broker.Stderr);
    }

    public bool HasExited => _process.HasExited;

    public string Stdout { get { lock (_gate) return _stdout.ToString(); } }

    public string Stderr { get { lock (_gate) return _stderr.ToString(); } }

    /// <summary>Completes when standard output contains <paramref name="text"/>; fails on exit or deadline.</summary>
    public async Task WaitForOutputAsync(string text)
    {
        TaskCompletionSource seen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_stdout.ToString().Contains(text, StringComparison.Ordinal))
                return;
            _waiters.Add((text, seen));
        }
        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(seen.Task, exited, Task.Delay(Deadline));
        if (first != seen.Task)
            throw new Xunit.Sdk.XunitException(
                $"'{text}' not printed ({(first == exited ? "process exited" : "deadline passed")}).\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
    }

    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(Deadline);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"Process did not exit within {Deadline}.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }
        return _process.ExitCode;
    }

    public void SendSignal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public const int SigInt = 2;
    public const int SigTerm = 15;

    private void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
            return;
        lock (_gate)
        {
            buffer.Append(line).Append('\n');
            if (buffer != _stdout)
                return;
            var text = _stdout.ToString();
            foreach (var waiter in _waiters.Where(w => text.Contains(w.Text, StringComparison.Ordinal)).ToArray())
            {
                waiter.Seen.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
