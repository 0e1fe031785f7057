using System.Diagnostics;
using System.Text;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>What a client process printed and how it ended.</summary>
public sealed record ClientResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    public IEnumerable<string> Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"{Command}\nexit code {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>
/// A third-party client run as a child process with a deadline: killed (with its children) when the
/// deadline passes, so a client that hangs on a broker bug fails the test instead of stalling the run.
/// Standard output is kept line by line so long-running clients can be watched while they work.
/// </summary>
public sealed class ClientProcess : IDisposable
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _lineArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ClientProcess(Process process, string command)
    {
        _process = process;
        Command = command;
    }

    public string Command { get; }

    public int Id => _process.Id;

    public static ClientProcess Start(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var client = new ClientProcess(process, file + " " + string.Join(" ", info.ArgumentList));
        process.OutputDataReceived += (_, e) => client.OnStdout(e.Data);
        process.ErrorDataReceived += (_, e) => client.OnStderr(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return client;
    }

    /// <summary>Starts, feeds <paramref name="stdin"/>, closes it, and waits for the exit.</summary>
    public static async Task<ClientResult> RunAsync(
        string file, IEnumerable<string> args, string? stdin = null, TimeSpan? deadline = null,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        using var client = Start(file, args, environment, workingDirectory);
        await client.WriteAndCloseInputAsync(stdin ?? "");
        return await client.WaitForExitAsync(deadline ?? DefaultDeadline);
    }

    public IReadOnlyList<string> Lines { get { lock (_gate) return _lines.ToArray(); } }

    public string Stderr { get { lock (_gate) return _stderr.ToString(); } }

    public async Task WriteAndCloseInputAsync(string text)
    {
        try
        {
            await _process.StandardInput.WriteAsync(text);
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The client exited without reading its input; its exit code and stderr tell why.
        }
    }

    /// <summary>Waits until the lines printed so far satisfy <paramref name="condition"/>; fails on exit or deadline.</summary>
    public async Task<IReadOnlyList<string>> WaitForLinesAsync(Func<IReadOnlyList<string>, bool> condition, TimeSpan deadline, string what)
    {
        var until = Stopwatch.StartNew();
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                if (condition(_lines))
                    return _lines.ToArray();
                arrived = _lineArrived.Task;
            }
            var left = deadline - until.Elapsed;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"{what}: not seen within {deadline}.\n{Snapshot(-1)}");
            if (await Task.WhenAny(arrived, _stdoutClosed.Task, Task.Delay(left)) == _stdoutClosed.Task && !condition(Lines))
                throw new InvalidOperationException($"{what}: the client exited first.\n{Snapshot(-1)}");
        }
    }

    /// <summary>Waits for the exit; past the deadline the process tree is killed and the result says so.</summary>
    public async Task<ClientResult> WaitForExitAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            await _process.WaitForExitAsync();
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task);
            lock (_gate)
                _stderr.Append($"[killed: still running after {deadline}]\n");
            return Snapshot(-1);
        }
        // The exit can be observed before the last redirected output is read.
        await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task);
        return Snapshot(_process.ExitCode);
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
    }

    private ClientResult Snapshot(int exitCode)
    {
        lock (_gate)
            return new ClientResult(Command, exitCode, string.Join("\n", _lines) + (_lines.Count > 0 ? "\n" : ""), _stderr.ToString());
    }

    private void OnStdout(string? line)
    {
        if (line is null)
        {
            _stdoutClosed.TrySetResult();
            return;
        }
        TaskCompletionSource arrived;
        lock (_gate)
        {
            _lines.Add(line);
            arrived = _lineArrived;
            _lineArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        arrived.TrySetResult();
    }

    private void OnStderr(string? line)
    {
        if (line is null)
        {
            _stderrClosed.TrySetResult();
            return;
        }
        lock (_gate)
            _stderr.Append(line).Append('\n');
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
