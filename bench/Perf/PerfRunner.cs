using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Broker.Perf;

/// <summary>Runs one produce or consume test and reports it: a summary line on stderr, JSON on stdout.</summary>
public static class PerfRunner
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancel = default)
    {
        if (args is ["-h"] or ["--help"])
        {
            await stdout.WriteLineAsync(PerfOptions.Usage);
            return 0;
        }
        PerfOptions options;
        try
        {
            options = PerfOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync($"perf: {e.Message}\n{PerfOptions.Usage}");
            return 2;
        }

        (bool Ok, Dictionary<string, object?> Fields) summary;
        try
        {
            var (host, port) = BrokerConnection.ParseHostPort(options.Bootstrap);
            TopicLayout layout;
            await using (var bootstrap = await BrokerConnection.ConnectAsync(host, port, 1))
                layout = await TopicLayout.LoadAsync(bootstrap, options.Topic, options.Partitions, create: options.Command == "produce");

            summary = options.Command == "produce"
                ? await ProduceAsync(options, layout, stderr, cancel)
                : await ConsumeAsync(options, layout, stderr, cancel);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException or TimeoutException)
        {
            await stderr.WriteLineAsync($"perf: {e.Message}");
            return 1;
        }
        var json = Json(summary.Fields);
        await stdout.WriteLineAsync(json);
        if (options.JsonFile is { } file)
            await File.WriteAllTextAsync(file, json + "\n", cancel);
        return summary.Ok ? 0 : 1;
    }

    private static async Task<(bool Ok, Dictionary<string, object?> Fields)> ProduceAsync(
        PerfOptions options, TopicLayout layout, TextWriter stderr, CancellationToken cancel)
    {
        var value = new byte[options.RecordSize];
        var random = new Random(42);
        for (var i = 0; i < value.Length; i++)
            value[i] = (byte)('A' + random.Next(26)); // letters, as Kafka's tool sends: compressible, not trivially

        var stats = new LiveStats();
        var quota = new RecordQuota(options.NumRecords);
        var links = new List<(ProducerLink Link, BrokerConnection Connection)>();
        var assignments = Assign(layout, options.Producers, shareWhenFewer: true);
        var totalSlots = assignments.Sum(a => a.Partitions.Count);
        try
        {
            foreach (var a in assignments)
            {
                var connection = await BrokerConnection.ConnectAsync(a.Host, a.Port, options.Acks == 0 ? 1 : options.MaxInFlight, "broker-perf-producer");
                var rate = options.Throughput < 0 ? -1 : options.Throughput * a.Partitions.Count / totalSlots;
                links.Add((new ProducerLink(options, a.Partitions, connection, quota, stats, value, rate), connection));
            }
            var clock = Stopwatch.StartNew();
            await using (new ProgressPrinter("produce", stats, options.Progress, stderr))
                await Task.WhenAll(links.Select(l => Task.Run(() => l.Link.RunAsync(clock, cancel), cancel)));
            var elapsed = clock.Elapsed.TotalSeconds;

            var latency = new LatencyHistogram();
            foreach (var (link, _) in links)
                latency.Add(link.Latency);
            long acked = options.Acks == 0 ? links.Sum(l => l.Link.RecordsSent) : links.Sum(l => l.Link.RecordsAcked);
            var failed = links.Sum(l => l.Link.RecordsFailed);
            var bytes = acked * options.RecordSize;
            var error = links.Select(l => l.Link.FirstError).FirstOrDefault(e => e is not null);
            await stderr.WriteLineAsync(
                $"{acked} records sent, {acked / elapsed:F1} records/sec ({bytes / elapsed / 1e6:F2} MB/sec), " +
                $"{latency.Mean / 1000:F2} ms avg latency, {latency.Max / 1000.0:F2} ms max latency, " +
                $"{latency.Percentile(50) / 1000.0:F2} ms 50th, {latency.Percentile(95) / 1000.0:F2} ms 95th, " +
                $"{latency.Percentile(99) / 1000.0:F2} ms 99th, {latency.Percentile(99.9) / 1000.0:F2} ms 99.9th." +
                (failed > 0 ? $" {failed} records failed: {error}" : ""));
            return (failed == 0 && error is null, new Dictionary<string, object?>
            {
                ["command"] = "produce",
                ["topic"] = options.Topic,
                ["records"] = acked,
                ["recordsFailed"] = failed,
                ["recordSize"] = options.RecordSize,
                ["bytes"] = bytes,
                ["elapsedSeconds"] = elapsed,
                ["recordsPerSec"] = acked / elapsed,
                ["bytesPerSec"] = bytes / elapsed,
                ["mbPerSec"] = bytes / elapsed / 1e6,
                ["latencyMs"] = options.Acks == 0 ? null : LatencyFields(latency),
                ["settings"] = new Dictionary<string, object?>
                {
                    ["acks"] = options.Acks, ["batchSize"] = options.BatchSize, ["recordsPerBatch"] = options.RecordsPerBatch,
                    ["lingerMs"] = options.LingerMs, ["compression"] = options.Compression.ToString().ToLowerInvariant(),
                    ["partitions"] = layout.Leaders.Count, ["producers"] = options.Producers, ["maxInFlight"] = options.MaxInFlight,
                    ["throughput"] = options.Throughput,
                },
                ["error"] = error,
            });
        }
        finally
        {
            foreach (var (_, connection) in links)
                await connection.DisposeAsync();
        }
    }

    private static async Task<(bool Ok, Dictionary<string, object?> Fields)> ConsumeAsync(
        PerfOptions options, TopicLayout layout, TextWriter stderr, CancellationToken cancel)
    {
        var stats = new LiveStats();
        var links = new List<(ConsumerLink Link, BrokerConnection Connection)>();
        try
        {
            foreach (var a in Assign(layout, options.Consumers, shareWhenFewer: false))
            {
                var connection = await BrokerConnection.ConnectAsync(a.Host, a.Port, 1, "broker-perf-consumer");
                links.Add((new ConsumerLink(options, a.Partitions, connection, stats), connection));
            }
            var clock = Stopwatch.StartNew();
            bool Enough() => options.NumRecords > 0 && stats.Records >= options.NumRecords;
            await using (new ProgressPrinter("consume", stats, options.Progress, stderr))
                await Task.WhenAll(links.Select(l => Task.Run(() => l.Link.RunAsync(clock, Enough, cancel), cancel)));
            // A run that ended on idleness is measured up to its last record, not through the idle wait.
            var elapsed = Enough() ? clock.Elapsed.TotalSeconds : Math.Max(1e-3, links.Max(l => l.Link.LastRecordAt).TotalSeconds);

            var latency = new LatencyHistogram();
            foreach (var (link, _) in links)
                latency.Add(link.FetchLatency);
            long records = links.Sum(l => l.Link.Records), bytes = links.Sum(l => l.Link.Bytes);
            var error = links.Select(l => l.Link.FirstError).FirstOrDefault(e => e is not null);
            await stderr.WriteLineAsync(
                $"{records} records consumed, {records / elapsed:F1} records/sec ({bytes / elapsed / 1e6:F2} MB/sec), " +
                $"{links.Sum(l => l.Link.Fetches)} fetches, {latency.Mean / 1000:F2} ms avg fetch, {latency.Percentile(99) / 1000.0:F2} ms 99th." +
                (error is null ? "" : $" {error}"));
            var complete = options.NumRecords <= 0 || records >= options.NumRecords;
            return (complete && error is null, new Dictionary<string, object?>
            {
                ["command"] = "consume",
                ["topic"] = options.Topic,
                ["records"] = records,
                ["bytes"] = bytes,
                ["wireBytes"] = links.Sum(l => l.Link.WireBytes),
                ["fetches"] = links.Sum(l => l.Link.Fetches),
                ["elapsedSeconds"] = elapsed,
                ["recordsPerSec"] = records / elapsed,
                ["bytesPerSec"] = bytes / elapsed,
                ["mbPerSec"] = bytes / elapsed / 1e6,
                ["fetchLatencyMs"] = LatencyFields(latency),
                ["settings"] = new Dictionary<string, object?>
                {
                    ["partitions"] = layout.Leaders.Count, ["consumers"] = links.Count, ["fetchMaxBytes"] = options.FetchMaxBytes,
                    ["partitionFetchMaxBytes"] = options.PartitionFetchMaxBytes, ["checkCrcs"] = options.CheckCrcs,
                },
                ["error"] = error ?? (complete ? null : $"only {records} of {options.NumRecords} records arrived"),
            });
        }
        finally
        {
            foreach (var (_, connection) in links)
                await connection.DisposeAsync();
        }
    }

    /// <summary>
    /// Splits partitions round-robin between workers, one link per worker and leader. Producers may
    /// share a partition when there are more producers than partitions; consumers may not (they would
    /// read the same records twice), so extra consumers stay idle.
    /// </summary>
    private static List<(string Host, int Port, List<int> Partitions)> Assign(TopicLayout layout, int workers, bool shareWhenFewer)
    {
        var links = new List<(string, int, List<int>)>();
        for (var w = 0; w < workers; w++)
        {
            var mine = layout.Leaders.Where((_, i) => i % workers == w).ToList();
            if (mine.Count == 0 && shareWhenFewer)
                mine = [layout.Leaders[w % layout.Leaders.Count]];
            foreach (var leader in mine.GroupBy(l => (l.Host, l.Port)))
                links.Add((leader.Key.Host, leader.Key.Port, leader.Select(l => l.Partition).ToList()));
        }
        return links;
    }

    private static Dictionary<string, object?> LatencyFields(LatencyHistogram h) => new()
    {
        ["avg"] = Math.Round(h.Mean / 1000, 3),
        ["p50"] = h.Percentile(50) / 1000.0,
        ["p95"] = h.Percentile(95) / 1000.0,
        ["p99"] = h.Percentile(99) / 1000.0,
        ["p999"] = h.Percentile(99.9) / 1000.0,
        ["max"] = h.Max / 1000.0,
        ["count"] = h.Count,
    };

    private static string Json(Dictionary<string, object?> fields) =>
        JsonSerializer.Serialize(fields, new JsonSerializerOptions { WriteIndented = false });
}
