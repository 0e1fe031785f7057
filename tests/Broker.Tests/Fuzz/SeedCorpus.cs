using System.Buffers.Binary;
using Broker.Broker.Tests.EndToEnd;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Records;

namespace Broker.Broker.Tests.Fuzz;

/// <summary>One request as a client sends it, without its size prefix.</summary>
public sealed record Seed(string Name, short ApiKey, short Version, byte[] Payload);

/// <summary>
/// The frames the fuzzer starts from: every frame third-party clients were recorded sending
/// (tests/Protocol.Tests/Golden/captured), and a filled request of the generated message classes at
/// every version the broker advertises, plus produce requests holding a batch of every codec.
/// </summary>
public static class SeedCorpus
{
    public static string CapturedDirectory => Path.Combine(Clients.RepoRoot, "tests", "Protocol.Tests", "Golden", "captured");

    /// <param name="served">What the broker's ApiVersions lists.</param>
    /// <param name="topic">The topic named in generated requests.</param>
    public static List<Seed> Build(IEnumerable<(short ApiKey, short Min, short Max)> served, string topic)
    {
        var seeds = new List<Seed>();
        foreach (var file in Directory.GetFiles(CapturedDirectory, "*.bin").Order(StringComparer.Ordinal))
        {
            var frame = File.ReadAllBytes(file);
            var payload = frame[4..];
            seeds.Add(new Seed(Path.GetFileNameWithoutExtension(file), BinaryPrimitives.ReadInt16BigEndian(payload), BinaryPrimitives.ReadInt16BigEndian(payload.AsSpan(2)), payload));
        }
        var batch = Batch(CompressionType.None);
        foreach (var (key, min, max) in served)
        {
            var api = ApiMessages.All.FirstOrDefault(a => (short)a.Key == key);
            if (api is null)
                continue;
            // ApiVersions may advertise versions it then refuses (Produce v0-v2 for librdkafka): seed only those the classes encode.
            for (var version = Math.Max(min, api.LowestVersion); version <= Math.Min(max, api.HighestVersion); version++)
            {
                var body = RequestFiller.Fill(api.NewRequest(), topic, batch);
                seeds.Add(new Seed($"{api.Name}-v{version}", key, version, KafkaConnection.Encode(body, version, 1, "fuzz")));
            }
        }
        foreach (var codec in Enum.GetValues<CompressionType>())
        {
            var produce = RequestFiller.Fill(new ProduceRequest(), topic, Batch(codec));
            produce.Acks = -1;
            produce.TimeoutMs = 5000;
            seeds.Add(new Seed($"produce-v9-{codec}", (short)ApiKey.Produce, 9, KafkaConnection.Encode(produce, 9, 1, "fuzz")));
        }
        return seeds;
    }

    /// <summary>A small batch of keyed records with headers, compressed with <paramref name="codec"/>.</summary>
    public static byte[] Batch(CompressionType codec)
    {
        using var builder = new RecordBatchBuilder(codec);
        for (var i = 0; i < 3; i++)
            builder.Append(1_700_000_000_000 + i, System.Text.Encoding.UTF8.GetBytes($"key-{i}"), System.Text.Encoding.UTF8.GetBytes($"value-{i}"),
                [new RecordHeaderEntry("h", "v"u8.ToArray())]);
        using var built = builder.Build();
        return built.WrittenSpan.ToArray();
    }
}
