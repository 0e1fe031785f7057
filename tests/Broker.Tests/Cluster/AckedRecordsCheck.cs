using System.Text.Json.Nodes;
using Broker.Broker.Tests.EndToEnd;

namespace Broker.Broker.Tests.Cluster;

/// <summary>
/// Reads a topic back with a confluent-kafka consumer (from the beginning, read_uncommitted) and
/// checks it against what an <see cref="AckedProducer"/> was told: every acknowledged record at the
/// offset its report gave, exactly once, and the records of each partition in the order they were sent.
/// </summary>
public static class AckedRecordsCheck
{
    public sealed record StoredRecord(int Partition, long Offset, string Value);

    /// <summary>
    /// What a consumer reads, and each partition's end offset (high watermark) once it read to the end;
    /// with a client rack also the brokers librdkafka fetched each partition's records from.
    /// </summary>
    public sealed record ReadBack(List<StoredRecord> Records, Dictionary<int, long> EndOffsets)
    {
        public Dictionary<int, int[]> FetchedFrom { get; } = [];
    }

    private static string Script => Path.Combine(Clients.RepoRoot, "tests", "Broker.Tests", "Cluster", "clients", "replication_driver.py");

    public static async Task<ReadBack> ConsumeAllAsync(string bootstrap, string topic, string? clientRack = null)
    {
        string[] rack = clientRack is null ? [] : ["--client-rack", clientRack];
        var result = await ClientProcess.RunAsync(Clients.Python, [Script, "consume", "--bootstrap", bootstrap, "--topic", topic, .. rack],
            deadline: TimeSpan.FromSeconds(90));
        if (result.ExitCode != 0)
            throw new Xunit.Sdk.XunitException($"Reading {topic} back failed:\n{result.Command}\nexit {result.ExitCode}\n{result.Stderr}");
        var records = new List<StoredRecord>();
        var read = new ReadBack(records, []);
        foreach (var line in result.Lines)
        {
            var json = JsonNode.Parse(line)!;
            if (json["watermarks"] is JsonObject watermarks)
            {
                foreach (var (partition, pair) in watermarks)
                    read.EndOffsets[int.Parse(partition)] = (long)pair![1]!;
            }
            else if (json["fetchedFrom"] is JsonObject fetchedFrom)
            {
                foreach (var (partition, brokers) in fetchedFrom)
                    read.FetchedFrom[int.Parse(partition)] = brokers!.AsArray().Select(b => (int)b!).ToArray();
            }
            else
                records.Add(new StoredRecord((int)json["p"]!, (long)json["o"]!, (string)json["v"]!));
        }
        return read;
    }

    /// <summary>Null when every acknowledged record is where its report said, once, in order; otherwise the first problems found.</summary>
    public static string? Problems(IReadOnlyList<Ack> acks, ReadBack read)
    {
        var problems = new List<string>();
        var byPosition = new Dictionary<(int, long), string>();
        var seen = new Dictionary<string, (int, long)>();
        foreach (var record in read.Records)
        {
            if (!byPosition.TryAdd((record.Partition, record.Offset), record.Value))
                problems.Add($"offset {record.Partition}/{record.Offset} read twice");
            if (!seen.TryAdd(record.Value, (record.Partition, record.Offset)))
                problems.Add($"record {record.Value} stored twice: at {seen[record.Value]} and {record.Partition}/{record.Offset}");
        }
        // The producer numbers its records; within a partition the numbers must rise with the offsets.
        // (Records a test wrote by other means are not numbers and not part of this order.)
        foreach (var partition in read.Records.GroupBy(r => r.Partition))
        {
            var ordered = partition.Where(r => long.TryParse(r.Value, out _)).OrderBy(r => r.Offset).ToArray();
            for (var i = 1; i < ordered.Length; i++)
            {
                if (long.Parse(ordered[i].Value) <= long.Parse(ordered[i - 1].Value))
                    problems.Add($"partition {partition.Key}: record {ordered[i].Value} at offset {ordered[i].Offset} after {ordered[i - 1].Value} at {ordered[i - 1].Offset}");
            }
        }
        var lost = acks.Where(a => !byPosition.TryGetValue((a.Partition, a.Offset), out var v) || v != a.Value).ToArray();
        if (lost.Length > 0)
        {
            problems.Add($"{lost.Length} of {acks.Count} acknowledged records are not where their delivery report put them, e.g. " +
                         string.Join(", ", lost.Take(5).Select(a => $"{a.Value} at {a.Partition}/{a.Offset} (found {(byPosition.TryGetValue((a.Partition, a.Offset), out var v) ? v : "nothing")})")));
        }
        var duplicateAcks = acks.GroupBy(a => a.Value).Where(g => g.Count() > 1).Select(g => g.Key).Take(5).ToArray();
        if (duplicateAcks.Length > 0)
            problems.Add($"records acknowledged twice: {string.Join(", ", duplicateAcks)}");
        return problems.Count == 0 ? null : string.Join("\n", problems.Take(20));
    }

    /// <summary>Acknowledged records a read-back does not hold where the reports said: the number the issue calls "lost".</summary>
    public static int Lost(IReadOnlyList<Ack> acks, ReadBack read)
    {
        var byPosition = new Dictionary<(int, long), string>();
        foreach (var record in read.Records)
            byPosition.TryAdd((record.Partition, record.Offset), record.Value);
        return acks.Count(a => !byPosition.TryGetValue((a.Partition, a.Offset), out var v) || v != a.Value);
    }
}
