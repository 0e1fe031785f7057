using System.Diagnostics;

namespace Broker.Broker.Tests.Cluster;

/// <summary>
/// One network namespace per node, each joined by a veth pair to a bridge this class creates in the
/// host namespace, so every node has its own address and the test (in the host namespace) reaches
/// all of them. Addresses come from 198.18.0.0/15, the range reserved for network tests, on the
/// bridge only: nothing is routed anywhere else. <see cref="Isolate"/> drops, with iptables inside one
/// node's namespace, its traffic to and from the other nodes only; the host still reaches it.
/// Everything created is deleted on dispose, also after a failure.
/// </summary>
public sealed class NodeNamespaces : IDisposable
{
    private static int _instances;

    private readonly string _tag;
    private readonly int _subnet;
    private readonly int[] _ids;
    private readonly List<string> _namespaces = [];
    private bool _bridgeCreated;

    private NodeNamespaces(int[] ids)
    {
        var instance = Interlocked.Increment(ref _instances);
        _tag = $"{Environment.ProcessId % 100000}{(char)('a' + instance % 26)}";
        _ids = ids;
        var used = Run("ip", "-4", "-o", "addr", "show");
        _subnet = Enumerable.Range(0, 200).Select(i => 20 + (Environment.ProcessId + instance + i) % 200)
            .First(s => !used.Contains($" 198.18.{s}.", StringComparison.Ordinal));
    }

    private string Bridge => $"kbr{_tag}";

    private string Namespace(int id) => $"kns{_tag}-{id}";

    public string Address(int id) => $"198.18.{_subnet}.{10 + id}";

    /// <summary>Where node <paramref name="id"/> listens and how its process enters its namespace.</summary>
    public NodeHost Host(int id) => new(Address(id), ["ip", "netns", "exec", Namespace(id)]);

    public static NodeNamespaces Create(params int[] ids)
    {
        var network = new NodeNamespaces(ids);
        try
        {
            network.Build();
        }
        catch
        {
            network.Dispose();
            throw;
        }
        return network;
    }

    private void Build()
    {
        Run("ip", "link", "add", Bridge, "type", "bridge");
        _bridgeCreated = true;
        Run("ip", "addr", "add", $"198.18.{_subnet}.1/24", "dev", Bridge);
        Run("ip", "link", "set", Bridge, "up");
        foreach (var id in _ids)
        {
            var ns = Namespace(id);
            string hostEnd = $"kvh{_tag}{id}", nodeEnd = $"kvn{_tag}{id}";
            Run("ip", "netns", "add", ns);
            _namespaces.Add(ns);
            Run("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", nodeEnd);
            Run("ip", "link", "set", nodeEnd, "netns", ns);
            Run("ip", "link", "set", hostEnd, "master", Bridge);
            Run("ip", "link", "set", hostEnd, "up");
            Run("ip", "-n", ns, "addr", "add", $"{Address(id)}/24", "dev", nodeEnd);
            Run("ip", "-n", ns, "link", "set", nodeEnd, "up");
            Run("ip", "-n", ns, "link", "set", "lo", "up");
        }
    }

    /// <summary>Inside node <paramref name="id"/>'s namespace: drop every packet to or from the other nodes.</summary>
    public void Isolate(int id)
    {
        foreach (var peer in _ids.Where(p => p != id))
        {
            Run("ip", "netns", "exec", Namespace(id), "iptables", "-A", "INPUT", "-s", Address(peer), "-j", "DROP");
            Run("ip", "netns", "exec", Namespace(id), "iptables", "-A", "OUTPUT", "-d", Address(peer), "-j", "DROP");
        }
    }

    /// <summary>Removes the rules of <see cref="Isolate"/>.</summary>
    public void Heal(int id)
    {
        Run("ip", "netns", "exec", Namespace(id), "iptables", "-F", "INPUT");
        Run("ip", "netns", "exec", Namespace(id), "iptables", "-F", "OUTPUT");
    }

    /// <summary>Null when this machine lets the tests create namespaces, bridges and iptables rules; otherwise why not.</summary>
    public static string? WhyUnavailable()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
            return "network namespaces and iptables need root on Linux";
        var probe = $"kprobe{Environment.ProcessId}";
        try
        {
            Run("ip", "netns", "add", probe);
            Run("ip", "netns", "exec", probe, "iptables", "-A", "INPUT", "-s", "198.18.0.2", "-j", "DROP");
            Run("ip", "link", "add", probe, "type", "bridge");
            Run("ip", "link", "del", probe);
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return $"this machine refuses network namespaces, bridges or iptables: {e.Message}";
        }
        finally
        {
            TryRun("ip", "netns", "del", probe);
        }
    }

    public void Dispose()
    {
        // Deleting a namespace removes its veth pair (and the rules inside it) with it.
        foreach (var ns in _namespaces)
            TryRun("ip", "netns", "del", ns);
        if (_bridgeCreated)
            TryRun("ip", "link", "del", Bridge);
    }

    private static string Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            process.Kill();
            throw new InvalidOperationException($"{file} {string.Join(" ", args)}: no exit within 20 s");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(" ", args)}: exit {process.ExitCode}: {stderr.Trim()}");
        return stdout.Result;
    }

    private static void TryRun(string file, params string[] args)
    {
        try
        {
            Run(file, args);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Cleanup: what is already gone stays gone.
        }
    }
}

/// <summary>A fact that is skipped, saying why, where the machine refuses network namespaces or iptables.</summary>
public sealed class FactWhenNetworkNamespacesAttribute : FactAttribute
{
    private static readonly Lazy<string?> Unavailable = new(NodeNamespaces.WhyUnavailable);

    public FactWhenNetworkNamespacesAttribute()
    {
        if (Unavailable.Value is { } reason)
            Skip = reason;
    }
}
