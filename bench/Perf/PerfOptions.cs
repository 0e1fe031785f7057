using System.Globalization;
using Broker.Protocol.Records;

namespace Broker.Perf;

/// <summary>Command-line settings shared by both subcommands; names follow Kafka's perf tools where they exist.</summary>
public sealed class PerfOptions
{
    public string Command { get; private set; } = "";
    public string Bootstrap { get; private set; } = "127.0.0.1:9092";
    public string Topic { get; private set; } = "perf";
    public long NumRecords { get; private set; } = -1;
    public TimeSpan? Duration { get; private set; }
    public int RecordSize { get; private set; } = 1024;
    public int BatchSize { get; private set; } = 16 * 1024;
    public int LingerMs { get; private set; } = 5;
    public short Acks { get; private set; } = 1;
    public CompressionType Compression { get; private set; } = CompressionType.None;
    public int Partitions { get; private set; } = 1;
    public int Producers { get; private set; } = 1;
    public int Consumers { get; private set; } = 1;
    public int MaxInFlight { get; private set; } = 5;
    /// <summary>Records per second over all producers; -1 for as fast as possible.</summary>
    public double Throughput { get; private set; } = -1;
    public int FetchMaxBytes { get; private set; } = 50 * 1024 * 1024;
    public int PartitionFetchMaxBytes { get; private set; } = 1024 * 1024;
    public int FetchMaxWaitMs { get; private set; } = 500;
    public bool CheckCrcs { get; private set; }
    public TimeSpan IdleTimeout { get; private set; } = TimeSpan.FromSeconds(10);
    public string? JsonFile { get; private set; }
    public bool Progress { get; private set; } = true;
    public int RequestTimeoutMs { get; private set; } = 30_000;

    public const string Usage = """
        usage: perf produce|consume [options]
          --bootstrap host:port       broker to start from (127.0.0.1:9092)
          --topic name                topic, created with --partitions if missing (perf)
          --num-records n             records to send / read (produce: required unless --duration)
          --duration 30s              run for a time instead of a count (s, ms or m suffix)
          --partitions n              partitions when creating the topic (1)
          --json file                 also write the JSON summary to this file (it always goes to stdout)
          --no-progress               no progress line on stderr
        produce:
          --record-size bytes         value size of each record (1024)
          --batch-size bytes          max bytes of one partition's batch (16384)
          --linger-ms ms              with --throughput: how long a batch waits to fill (5)
          --acks 0|1|-1               (1)
          --compression none|gzip|snappy|lz4|zstd
          --producers n               concurrent producers, each with its own connection (1)
          --max-in-flight n           produce requests in flight per connection (5)
          --throughput rec/s          target rate over all producers, -1 = unlimited (-1)
          --target-mbps MB/s          the same as a byte rate (MB = 10^6 bytes)
          --request-timeout-ms ms     broker-side timeout for acks (30000)
        consume:
          --consumers n               concurrent consumers, partitions split between them (1)
          --fetch-max-bytes n         (52428800)   --partition-fetch-max-bytes n (1048576)
          --fetch-max-wait-ms ms      (500)        --check-crcs  verify every batch's CRC
          --timeout 10s               stop when nothing arrives for this long (10s)
        """;

    public static PerfOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("produce" or "consume"))
            throw new ArgumentException("the first argument must be produce or consume");
        var o = new PerfOptions { Command = args[0] };
        double? targetMbps = null;
        for (var i = 1; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            switch (name)
            {
                case "--bootstrap" or "--bootstrap-server": o.Bootstrap = Value(); break;
                case "--topic": o.Topic = Value(); break;
                case "--num-records" or "--messages": o.NumRecords = Long(name, Value(), 1); break;
                case "--duration": o.Duration = Time(name, Value()); break;
                case "--record-size": o.RecordSize = Int(name, Value(), 0); break;
                case "--batch-size": o.BatchSize = Int(name, Value(), 1); break;
                case "--linger-ms": o.LingerMs = Int(name, Value(), 0); break;
                case "--acks":
                    o.Acks = Value() switch
                    {
                        "0" => 0, "1" => 1, "-1" or "all" => -1,
                        var v => throw new ArgumentException($"--acks must be 0, 1 or -1, not {v}"),
                    };
                    break;
                case "--compression": o.Compression = Codec(Value()); break;
                case "--partitions": o.Partitions = Int(name, Value(), 1); break;
                case "--producers": o.Producers = Int(name, Value(), 1); break;
                case "--consumers" or "--threads": o.Consumers = Int(name, Value(), 1); break;
                case "--max-in-flight": o.MaxInFlight = Int(name, Value(), 1); break;
                case "--throughput": o.Throughput = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--target-mbps": targetMbps = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--fetch-max-bytes": o.FetchMaxBytes = Int(name, Value(), 1); break;
                case "--partition-fetch-max-bytes": o.PartitionFetchMaxBytes = Int(name, Value(), 1); break;
                case "--fetch-max-wait-ms": o.FetchMaxWaitMs = Int(name, Value(), 0); break;
                case "--check-crcs": o.CheckCrcs = true; break;
                case "--timeout": o.IdleTimeout = Time(name, Value()); break;
                case "--json": o.JsonFile = Value(); break;
                case "--no-progress": o.Progress = false; break;
                case "--request-timeout-ms": o.RequestTimeoutMs = Int(name, Value(), 1); break;
                default: throw new ArgumentException($"unknown option {name}");
            }
        }
        if (targetMbps is { } mbps)
            o.Throughput = mbps * 1_000_000 / Math.Max(1, o.RecordSize);
        if (o.Command == "produce" && o.NumRecords < 0 && o.Duration is null)
            throw new ArgumentException("produce needs --num-records or --duration");
        if (o.Throughput == 0)
            throw new ArgumentException("--throughput must be positive, or -1 for unlimited");
        return o;
    }

    /// <summary>Records one partition's batch holds: full batches when unthrottled, what the linger gathers at the target rate otherwise.</summary>
    public int RecordsPerBatch
    {
        get
        {
            var full = Math.Max(1, BatchSize / Math.Max(1, RecordSize + RecordOverhead));
            if (Throughput < 0)
                return full;
            var perPartitionRate = Throughput / Math.Max(1, Partitions);
            var gathered = (int)Math.Ceiling(perPartitionRate * Math.Max(LingerMs, 1) / 1000.0);
            return Math.Clamp(gathered, 1, full);
        }
    }

    /// <summary>Bytes a record adds on top of its value in a batch (length, attributes, deltas, key, header count).</summary>
    private const int RecordOverhead = 8;

    private static int Int(string name, string value, int min) => (int)Long(name, value, min);

    private static long Long(string name, string value, long min)
    {
        if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < min)
            throw new ArgumentException($"{name} must be an integer >= {min}, not {value}");
        return n;
    }

    private static TimeSpan Time(string name, string value)
    {
        double Number(string s) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= 0
            ? d : throw new ArgumentException($"{name} must be a duration like 30s, 500ms or 2m, not {value}");
        if (value.EndsWith("ms", StringComparison.Ordinal))
            return TimeSpan.FromMilliseconds(Number(value[..^2]));
        if (value.EndsWith('s'))
            return TimeSpan.FromSeconds(Number(value[..^1]));
        if (value.EndsWith('m'))
            return TimeSpan.FromMinutes(Number(value[..^1]));
        return TimeSpan.FromSeconds(Number(value));
    }

    private static CompressionType Codec(string value) => value switch
    {
        "none" => CompressionType.None,
        "gzip" => CompressionType.Gzip,
        "snappy" => CompressionType.Snappy,
        "lz4" => CompressionType.Lz4,
        "zstd" => CompressionType.Zstd,
        _ => throw new ArgumentException($"--compression must be none, gzip, snappy, lz4 or zstd, not {value}"),
    };
}
