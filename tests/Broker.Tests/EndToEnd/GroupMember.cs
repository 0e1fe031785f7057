using System.Text.Json.Nodes;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>
/// A consumer-group member run by one of the client scripts (<c>group-consume</c>): it prints its
/// assignments and every record it consumed (committing each before the next) until told to leave.
/// </summary>
public sealed class GroupMember : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly ClientProcess _process;

    private GroupMember(string name, ClientProcess process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public static GroupMember Start(ScriptedClient client, E2EBroker broker, string topic, string group, string name, params string[] args) =>
        new(name, client.Start(broker, "group-consume", topic, ["--group", group, .. args]));

    /// <summary>Records consumed so far as (partition, offset, value).</summary>
    public List<(int Partition, long Offset, string? Value)> Records => Parsed()
        .Where(j => j["event"] is null)
        .Select(j => ((int)j["partition"]!, (long)j["offset"]!, (string?)j["value"])).ToList();

    /// <summary>Assignment events ("assigned", "revoked") with their partitions, in order.</summary>
    public List<(string Event, int[] Partitions)> Events => Parsed()
        .Where(j => j["event"] is { } e && (string)e! != "left")
        .Select(j => ((string)j["event"]!, j["partitions"]!.AsArray().Select(p => (int)p!).ToArray())).ToList();

    /// <summary>The member id the client reported (kafkajs only; librdkafka's Python binding does not expose it).</summary>
    public string? MemberId => Parsed().Select(j => (string?)j["memberId"]).LastOrDefault(id => id is not null);

    public int[] LastAssignment => Events.LastOrDefault(e => e.Event == "assigned").Partitions ?? [];

    public Task WaitForAsync(Func<GroupMember, bool> condition, string what) =>
        _process.WaitForLinesAsync(_ => condition(this), Deadline, $"{Name}: {what}");

    /// <summary>Closes stdin: the member leaves the group the way its library does on close, and exits.</summary>
    public async Task StopAsync()
    {
        await _process.WriteAndCloseInputAsync("");
        var result = await _process.WaitForExitAsync(Deadline);
        if (result.ExitCode != 0)
            throw new Xunit.Sdk.XunitException($"{Name} failed:\n{result}");
    }

    /// <summary>SIGKILL: the member vanishes without leaving; only its session timeout tells the group.</summary>
    public void Crash() => _process.Kill();

    public override string ToString() => $"{Name}: {string.Join("\n", _process.Lines)}\nstderr:\n{_process.Stderr}";

    private IEnumerable<JsonNode> Parsed() => _process.Lines.Select(l => JsonNode.Parse(l)!);

    public void Dispose() => _process.Dispose();
}
