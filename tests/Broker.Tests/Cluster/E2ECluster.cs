using System.Text;
using Broker.Broker.Tests.Cli;
using Broker.Broker.Tests.EndToEnd;
using Broker.Broker.Tests.Storage;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Broker.Tests.Cluster;

/// <summary>
/// Several nodes as real processes on 127.0.0.1, each with its own ports and data directory, one
/// cluster id and a static <c>controller.quorum.voters</c>. Combined nodes by default; any node
/// can be killed (SIGKILL) and started again on its data.
/// </summary>
public sealed class E2ECluster : IAsyncDisposable
{
    private readonly TempDirectory _root = new();
    private readonly string _clusterId = global::Broker.Storage.ClusterId.Generate();

    private E2ECluster(IReadOnlyList<(int Id, string Roles)> nodes, Func<int, NodeHost>? placement, Func<int, string[]>? perNode, string[] overrides)
    {
        var specs = nodes.Select(n => (n.Id, n.Roles, Host: placement?.Invoke(n.Id) ?? NodeHost.Loopback, Port: FreePorts.Next(), ControllerPort: FreePorts.Next(), HttpPort: FreePorts.Next())).ToArray();
        var voters = string.Join(",", specs.Where(s => s.Roles.Contains("controller")).Select(s => $"{s.Id}@{s.Host.Address}:{s.ControllerPort}"));
        Nodes = specs.Select(s => new ClusterNode(s.Id, s.Roles, s.Host, s.Port, s.ControllerPort, s.HttpPort, voters, _root.Sub($"node-{s.Id}"), _clusterId,
            [.. overrides, .. perNode?.Invoke(s.Id) ?? []])).ToArray();
    }

    public IReadOnlyList<ClusterNode> Nodes { get; }

    public ClusterNode Node(int id) => Nodes.Single(n => n.Id == id);

    /// <summary>Starts <paramref name="count"/> combined nodes (ids 1..count) and waits until each serves as an unfenced broker.</summary>
    public static Task<E2ECluster> StartCombinedAsync(int count, params string[] overrides) =>
        StartAsync(Enumerable.Range(1, count).Select(i => (i, "broker,controller")).ToArray(), overrides);

    /// <summary>Combined nodes 1..count, each also given the settings <paramref name="perNode"/> returns for its id (such as its broker.rack).</summary>
    public static Task<E2ECluster> StartCombinedAsync(int count, Func<int, string[]> perNode, params string[] overrides) =>
        StartAsync(Enumerable.Range(1, count).Select(i => (i, "broker,controller")).ToArray(), null, perNode, overrides);

    public static Task<E2ECluster> StartAsync(IReadOnlyList<(int Id, string Roles)> nodes, params string[] overrides) =>
        StartAsync(nodes, null, overrides);

    /// <summary>Starts the nodes where <paramref name="placement"/> puts them (an address and a launcher per node id).</summary>
    public static Task<E2ECluster> StartAsync(IReadOnlyList<(int Id, string Roles)> nodes, Func<int, NodeHost>? placement, params string[] overrides) =>
        StartAsync(nodes, placement, null, overrides);

    private static async Task<E2ECluster> StartAsync(
        IReadOnlyList<(int Id, string Roles)> nodes, Func<int, NodeHost>? placement, Func<int, string[]>? perNode, string[] overrides)
    {
        var cluster = new E2ECluster(nodes, placement, perNode, overrides);
        try
        {
            foreach (var node in cluster.Nodes)
                node.Launch();
            foreach (var node in cluster.Nodes)
                await node.WaitStartedAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    public IEnumerable<ClusterNode> Running => Nodes.Where(n => n.IsRunning);

    /// <summary>Every broker listener, for clients that should find the cluster whichever nodes are up.</summary>
    public string Bootstrap => string.Join(",", Nodes.Where(n => n.IsBroker).Select(n => n.Bootstrap));

    public string Logs => string.Concat(Nodes.Select(n => $"===== node {n.Id} =====\n{n.Logs}"));

    /// <summary>The quorum as the leader describes it, asked through <paramref name="via"/> (any running node when null).</summary>
    public async Task<DescribeQuorumResponse.PartitionData?> DescribeQuorumAsync(ClusterNode? via = null)
    {
        var node = via ?? Running.First();
        try
        {
            using var connection = await node.ConnectAsync();
            var response = await connection.RequestAsync<DescribeQuorumResponse>(new DescribeQuorumRequest
            {
                Topics = [new() { TopicName = "__cluster_metadata", Partitions = [new() { PartitionIndex = 0 }] }],
            }, 1);
            var partition = response.ErrorCode == 0 ? response.Topics.Single().Partitions.Single() : null;
            return partition is { ErrorCode: 0 } ? partition : null;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException)
        {
            return null;
        }
    }

    /// <summary>Waits until a leader other than <paramref name="not"/> is elected, as every running node's DescribeQuorum says.</summary>
    public async Task<int> WaitForLeaderAsync(int not = -1)
    {
        var leader = -1;
        await Until(async () =>
        {
            var seen = new HashSet<int>();
            foreach (var node in Running.Where(n => n.IsBroker))
                seen.Add((await DescribeQuorumAsync(node))?.LeaderId ?? -1);
            leader = seen.Count == 1 ? seen.Single() : -1;
            return leader >= 0 && leader != not;
        }, $"a leader other than {not}");
        return leader;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with every node's output after the deadline.</summary>
    public async Task Until(Func<Task<bool>> condition, string what, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
                Assert.Fail($"Timed out waiting for {what}.\n{Logs}");
            await Task.Delay(50);
        }
    }

    public ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
            node.Dispose();
        _root.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Where a node listens and what starts its process (such as <c>ip netns exec NAME</c>).</summary>
public sealed record NodeHost(string Address, string[] Launcher)
{
    public static readonly NodeHost Loopback = new("127.0.0.1", []);
}

/// <summary>One node of an <see cref="E2ECluster"/>.</summary>
public sealed class ClusterNode : IDisposable
{
    private readonly string _clusterId;
    private readonly string[] _overrides;
    private readonly StringBuilder _earlierRuns = new();
    private BrokerProcess? _process;
    private int _runs;

    internal ClusterNode(int id, string roles, NodeHost host, int port, int controllerPort, int httpPort, string voters, string dataRoot, string clusterId, string[] overrides)
    {
        Id = id;
        Host = host;
        Roles = roles;
        Port = port;
        ControllerPort = controllerPort;
        HttpPort = httpPort;
        DataDir = Path.Combine(dataRoot, "data");
        _clusterId = clusterId;
        _overrides = overrides;
        Directory.CreateDirectory(dataRoot);
        var listeners = new List<string>();
        if (IsBroker) listeners.Add($"PLAINTEXT://{host.Address}:{port}");
        if (roles.Contains("controller")) listeners.Add($"CONTROLLER://{host.Address}:{controllerPort}");
        PropertiesFile = Path.Combine(dataRoot, "server.properties");
        File.WriteAllText(PropertiesFile, string.Join("\n",
        [
            $"process.roles={roles}",
            $"node.id={id}",
            $"listeners={string.Join(",", listeners)}",
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            $"controller.quorum.voters={voters}",
            $"log.dirs={DataDir}",
            // Its own free port: many nodes run at once in the tests.
            $"metrics.http.listener=http://{host.Address}:{httpPort}",
        ]) + "\n");
    }

    public int Id { get; }
    public NodeHost Host { get; }
    public string Roles { get; }
    public bool IsBroker => Roles.Contains("broker");
    public int Port { get; }
    public int ControllerPort { get; }

    /// <summary>The operations HTTP endpoint's port (/healthz, /ready, /metrics).</summary>
    public int HttpPort { get; }
    public string DataDir { get; }
    public string PropertiesFile { get; }
    public string Bootstrap => $"{Host.Address}:{Port}";
    public bool IsRunning => _process is not null;

    /// <summary>False from the moment the process is gone, even before the test has collected its exit.</summary>
    public bool IsAlive
    {
        get
        {
            var process = _process;
            try
            {
                return process is { HasExited: false };
            }
            catch (InvalidOperationException)
            {
                return false; // disposed by a stop that just collected the exit
            }
        }
    }

    /// <summary>The metadata log directory: segments, quorum-state and snapshot (.checkpoint) files.</summary>
    public string MetadataLogDir => Path.Combine(DataDir, "__cluster_metadata-0");

    /// <summary>Where this node keeps partition logs: a <c>log.dirs</c> override, else <see cref="DataDir"/>.</summary>
    public string LogDir => _overrides.LastOrDefault(o => o.StartsWith("log.dirs=", StringComparison.Ordinal))?["log.dirs=".Length..] ?? DataDir;

    public string Logs
    {
        get
        {
            lock (_earlierRuns)
                return _earlierRuns + (_process is null ? "" : $"--- run {_runs} stdout ---\n{_process.Stdout}--- run {_runs} stderr ---\n{_process.Stderr}");
        }
    }

    /// <summary>Output of the current run only.</summary>
    public string CurrentRunOutput => _process?.Stdout ?? "";

    internal void Launch()
    {
        _runs++;
        var args = new List<string> { PropertiesFile };
        foreach (var o in _overrides)
            args.AddRange(["--override", o]);
        _process = BrokerProcess.Start(Path.GetDirectoryName(PropertiesFile)!, new Dictionary<string, string> { ["CLUSTER_ID"] = _clusterId }, Host.Launcher, [.. args]);
    }

    internal Task WaitStartedAsync() => Running().WaitForOutputAsync($"Node {Id} started");

    /// <summary>Starts the node again on its data and waits until it serves.</summary>
    public async Task RestartAsync()
    {
        if (_process is not null)
            throw new InvalidOperationException($"Node {Id} is still running.");
        Launch();
        await WaitStartedAsync();
    }

    /// <summary>SIGTERM, as Kubernetes or systemd stop a node: the graceful shutdown runs; returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        var process = Running();
        process.SendSignal(BrokerProcess.SigTerm);
        var exitCode = await process.WaitForExitAsync();
        Retire();
        return exitCode;
    }

    /// <summary>SIGKILL: nothing of the shutdown runs.</summary>
    public async Task KillAsync()
    {
        var process = Running();
        process.SendSignal(9);
        await process.WaitForExitAsync();
        Retire();
    }

    /// <summary>SIGSTOP: the process freezes with its connections open, as a node stuck in a long pause.</summary>
    public void Pause() => Running().SendSignal(19);

    /// <summary>SIGCONT after <see cref="Pause"/>.</summary>
    public void Resume() => Running().SendSignal(18);

    public async Task<KafkaConnection> ConnectAsync() =>
        await KafkaConnection.ConnectAsync(System.Net.IPAddress.Parse(Host.Address), IsBroker ? Port : ControllerPort);

    public async Task<MetadataResponse> MetadataAsync(params string[] topics)
    {
        using var connection = await ConnectAsync();
        return await connection.RequestAsync<MetadataResponse>(new MetadataRequest
        {
            Topics = topics.Length == 0 ? [] : topics.Select(t => new MetadataRequest.MetadataRequestTopic { Name = t }).ToList(),
            AllowAutoTopicCreation = false,
        }, 12);
    }

    private BrokerProcess Running() => _process ?? throw new InvalidOperationException($"Node {Id} is not running.");

    private void Retire()
    {
        if (_process is null)
            return;
        lock (_earlierRuns)
            _earlierRuns.Append($"--- run {_runs} stdout ---\n{_process.Stdout}--- run {_runs} stderr ---\n{_process.Stderr}");
        _process.Dispose();
        _process = null;
    }

    public void Dispose() => Retire();
}
