using System.Text;
using Broker.Broker.Tests.Cli;
using Broker.Broker.Tests.Storage;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>
/// The built broker as a real process: a combined broker and controller configured by a
/// server.properties file plus <c>--override</c>s, listening on 127.0.0.1 at free ports, with its
/// data in its own temporary directory. It can be stopped with SIGTERM, killed with SIGKILL and
/// started again on the same data; the output of every run is kept for failure messages.
/// </summary>
public sealed class E2EBroker : IAsyncDisposable
{
    private readonly TempDirectory _root = new();
    private readonly string[] _overrides;
    private readonly string[] _launcher;
    private readonly string _clusterId = global::Broker.Storage.ClusterId.Generate();
    private readonly StringBuilder _earlierRuns = new();
    private BrokerProcess? _process;
    private int _runs;

    private E2EBroker(string[] overrides, string[]? launcher = null)
    {
        _overrides = overrides;
        _launcher = launcher ?? [];
        Port = FreePorts.Next();
        ControllerPort = FreePorts.Next();
        HttpPort = FreePorts.Next();
        PropertiesFile = _root.WriteFile("server.properties", string.Join("\n",
        [
            "process.roles=broker,controller",
            "node.id=1",
            $"listeners=PLAINTEXT://127.0.0.1:{Port},CONTROLLER://127.0.0.1:{ControllerPort}",
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            $"controller.quorum.voters=1@127.0.0.1:{ControllerPort}",
            $"log.dirs={DataDir}",
            // Its own free port: many brokers run at once in the tests.
            $"metrics.http.listener=http://127.0.0.1:{HttpPort}",
            "offsets.topic.replication.factor=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
        ]) + "\n");
    }

    /// <summary>Starts a fresh node; <paramref name="overrides"/> are <c>key=value</c> pairs passed as <c>--override</c>.</summary>
    public static Task<E2EBroker> StartAsync(params string[] overrides) => StartAsync(new E2EBroker(overrides));

    /// <summary>A fresh node whose every run may hold at most <paramref name="openFiles"/> descriptors (<c>prlimit --nofile</c>).</summary>
    public static Task<E2EBroker> StartWithOpenFileLimitAsync(int openFiles, params string[] overrides) =>
        StartAsync(new E2EBroker(overrides, ["prlimit", $"--nofile={openFiles}:{openFiles}"]));

    private static async Task<E2EBroker> StartAsync(E2EBroker broker)
    {
        try
        {
            await broker.StartProcessAsync();
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
        return broker;
    }

    public int Port { get; }

    public int ControllerPort { get; }

    /// <summary>The operations HTTP endpoint's port (/healthz, /ready, /metrics).</summary>
    public int HttpPort { get; }

    public string Bootstrap => $"127.0.0.1:{Port}";

    public string DataDir => _root.Sub("data");

    public string PropertiesFile { get; }

    public bool IsRunning => _process is not null;

    /// <summary>True while the broker process has not exited (a crash shows here before any request fails).</summary>
    public bool ProcessAlive => _process is not null && File.Exists($"/proc/{_process.Id}/status");

    /// <summary>File descriptors the running node holds now (files and sockets).</summary>
    public int OpenDescriptors() => Directory.GetFiles($"/proc/{Running().Id}/fd").Length;

    /// <summary>Resident memory of the broker process (VmRSS), in bytes.</summary>
    public long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{Running().Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    /// <summary>Broker stdout and stderr of every run so far, oldest first.</summary>
    public string Logs
    {
        get
        {
            var current = _process is null ? "" : $"--- run {_runs} stdout ---\n{_process.Stdout}--- run {_runs} stderr ---\n{_process.Stderr}";
            lock (_earlierRuns)
                return _earlierRuns + current;
        }
    }

    /// <summary>A position in the current run's output, for <see cref="LogsSince"/>.</summary>
    public readonly record struct LogMark(int Run, int Stdout, int Stderr);

    public LogMark Mark() => _process is null ? new(_runs, 0, 0) : new(_runs, _process.Stdout.Length, _process.Stderr.Length);

    /// <summary>What the current run printed after <paramref name="mark"/>; everything when the broker was restarted since.</summary>
    public string LogsSince(LogMark mark)
    {
        if (_process is null || mark.Run != _runs)
            return Logs;
        string stdout = _process.Stdout, stderr = _process.Stderr;
        return $"--- stdout ---\n{stdout[Math.Min(mark.Stdout, stdout.Length)..]}--- stderr ---\n{stderr[Math.Min(mark.Stderr, stderr.Length)..]}";
    }

    /// <summary>Starts the node again on the same data directory and ports.</summary>
    public Task RestartAsync()
    {
        if (_process is not null)
            throw new InvalidOperationException("The broker is still running; stop or kill it first.");
        return StartProcessAsync();
    }

    /// <summary>SIGTERM, then the graceful stop must finish with exit code 0.</summary>
    public async Task StopAsync()
    {
        var process = Running();
        process.SendSignal(BrokerProcess.SigTerm);
        var exitCode = await process.WaitForExitAsync();
        Retire();
        Assert.True(exitCode == 0, $"The broker exited with {exitCode} after SIGTERM.\n{Logs}");
    }

    /// <summary>Waits (with the process deadline) for the node to exit on its own; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        var exitCode = await Running().WaitForExitAsync();
        Retire();
        return exitCode;
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a crash.</summary>
    public async Task KillAsync()
    {
        var process = Running();
        process.SendSignal(SigKill);
        await process.WaitForExitAsync();
        Retire();
    }

    public async Task<KafkaConnection> ConnectAsync(System.Net.IPAddress? from = null) => await KafkaConnection.ConnectAsync(Port, from);

    public async Task CreateTopicAsync(string name, int partitions)
    {
        using var connection = await ConnectAsync();
        var response = await connection.RequestAsync<CreateTopicsResponse>(new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = name, NumPartitions = partitions, ReplicationFactor = 1 }],
        }, 7);
        var result = Assert.Single(response.Topics);
        Assert.True(result.ErrorCode == 0, $"CreateTopics {name}: error {result.ErrorCode} {result.ErrorMessage}\n{Logs}");
    }

    private const int SigKill = 9;

    private BrokerProcess Running() => _process ?? throw new InvalidOperationException("The broker is not running.");

    private async Task StartProcessAsync()
    {
        _runs++;
        var args = new List<string> { PropertiesFile };
        foreach (var o in _overrides)
            args.AddRange(["--override", o]);
        // CLUSTER_ID formats the storage on the first start, as the container image does.
        _process = BrokerProcess.Start(_root.Path, new Dictionary<string, string> { ["CLUSTER_ID"] = _clusterId }, _launcher, [.. args]);
        await _process.WaitForOutputAsync("Node 1 started");
        await WaitUntilAnsweringAsync();
    }

    /// <summary>"Started" is printed once listeners are bound; an ApiVersions answer proves requests are served.</summary>
    private async Task WaitUntilAnsweringAsync()
    {
        try
        {
            using var connection = await ConnectAsync();
            var response = await connection.RequestAsync<ApiVersionsResponse>(new ApiVersionsRequest
            {
                ClientSoftwareName = "e2e", ClientSoftwareVersion = "1",
            }, 3);
            Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        }
        catch (Exception e) when (e is IOException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new Xunit.Sdk.XunitException($"The broker does not answer ApiVersions: {e.Message}\n{Logs}");
        }
    }

    private void Retire()
    {
        if (_process is null)
            return;
        lock (_earlierRuns)
            _earlierRuns.Append($"--- run {_runs} stdout ---\n{_process.Stdout}--- run {_runs} stderr ---\n{_process.Stderr}");
        _process.Dispose();
        _process = null;
    }

    public ValueTask DisposeAsync()
    {
        // Kill, not SIGTERM: a test that failed half-way must not wait on a graceful stop.
        Retire();
        _root.Dispose();
        return ValueTask.CompletedTask;
    }
}
