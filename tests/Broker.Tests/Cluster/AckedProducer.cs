using System.Text.Json.Nodes;
using Broker.Broker.Tests.EndToEnd;

namespace Broker.Broker.Tests.Cluster;

/// <summary>A record the producer's delivery report acknowledged: where it is and when the report came (wall-clock ms).</summary>
public sealed record Ack(int Partition, long Offset, string Value, long AtMs);

/// <summary>
/// An idempotent acks=all confluent-kafka producer (<c>replication_driver.py produce</c>) sending
/// continuously to every partition of a topic until stopped. Its delivery reports are read while it
/// runs: the acknowledged records, and any failed delivery or client error, which the replication
/// tests treat as a failure (with idempotence and retries, every error a leader change causes is
/// retried inside the client; a fatal error is how librdkafka reports an acknowledged sequence the
/// broker lost).
/// </summary>
public sealed class AckedProducer : IDisposable
{
    private static string Script => Path.Combine(Clients.RepoRoot, "tests", "Broker.Tests", "Cluster", "clients", "replication_driver.py");

    private readonly ClientProcess _process;
    private readonly Lock _gate = new();
    private readonly List<Ack> _acks = [];
    private readonly List<string> _problems = [];
    private int _parsed;

    private AckedProducer(ClientProcess process) => _process = process;

    public static AckedProducer Start(string bootstrap, string topic, int partitions, int rate = 500) =>
        new(ClientProcess.Start(Clients.Python, [Script, "produce", "--bootstrap", bootstrap, "--topic", topic,
            "--partitions", partitions.ToString(), "--rate", rate.ToString()]));

    /// <summary>Every acknowledged record so far, in the order the reports arrived.</summary>
    public IReadOnlyList<Ack> Acks { get { Parse(); lock (_gate) return _acks.ToArray(); } }

    /// <summary>Failed deliveries and client errors, as the driver printed them.</summary>
    public IReadOnlyList<string> Problems { get { Parse(); lock (_gate) return _problems.ToArray(); } }

    /// <summary>The first acknowledgement matching <paramref name="match"/>; fails with the producer's output after the deadline.</summary>
    public async Task<Ack> WaitForAckAsync(Func<Ack, bool> match, TimeSpan deadline, string what)
    {
        var until = DateTime.UtcNow + deadline;
        var from = 0;
        while (true)
        {
            Parse();
            lock (_gate)
            {
                for (; from < _acks.Count; from++)
                {
                    if (match(_acks[from]))
                        return _acks[from];
                }
            }
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"No acknowledgement {what} within {deadline}. {Summary()}");
            await Task.Delay(20);
        }
    }

    /// <summary>Tells the driver to stop, waits while it flushes what is still in flight, and fails on a non-zero exit.</summary>
    public async Task StopAsync()
    {
        await _process.WriteAndCloseInputAsync("stop\n");
        var result = await _process.WaitForExitAsync(TimeSpan.FromSeconds(150));
        Parse();
        if (result.ExitCode != 0 || !result.Lines.Any(l => l.Contains("\"done\"", StringComparison.Ordinal)))
            throw new Xunit.Sdk.XunitException($"The producer did not end cleanly: exit {result.ExitCode}\nstderr:\n{result.Stderr}\nlast lines:\n{string.Join("\n", result.Lines.TakeLast(20))}");
        var done = JsonNode.Parse(result.Lines.Last(l => l.Contains("\"done\"", StringComparison.Ordinal)))!;
        if ((int)done["undelivered"]! != 0)
            lock (_gate)
                _problems.Add($"{done["undelivered"]} record(s) still undelivered when the producer stopped");
    }

    public string Summary()
    {
        Parse();
        lock (_gate)
            return $"{_acks.Count} acknowledged; problems: [{string.Join("; ", _problems.Take(10))}]; stderr: {_process.Stderr}";
    }

    private void Parse()
    {
        var lines = _process.Lines;
        lock (_gate)
        {
            for (; _parsed < lines.Count; _parsed++)
            {
                var json = JsonNode.Parse(lines[_parsed])!.AsObject();
                if (json.ContainsKey("o"))
                    _acks.Add(new Ack((int)json["p"]!, (long)json["o"]!, (string)json["v"]!, (long)json["t"]!));
                // A non-fatal client error is a connection the client lost (a broker killed): it reconnects by itself.
                else if (json.ContainsKey("error") || (json.ContainsKey("clientError") && (bool)json["fatal"]!))
                    _problems.Add(lines[_parsed]);
            }
        }
    }

    public void Dispose() => _process.Dispose();
}
