using System.Text;
using Broker.Protocol.Records;

namespace Broker.Protocol.Benchmarks;

/// <summary>What a broker really handles: keyed JSON events, as a records section or as a whole batch.</summary>
internal static class SampleRecords
{
    /// <summary>Encoded records with keyed JSON values, cut to exactly <paramref name="size"/> bytes.</summary>
    public static byte[] RecordsSection(int size)
    {
        using var builder = Fill(new RecordBatchBuilder(initialCapacity: size + 4096), size);
        using var batch = builder.Build();
        return batch.WrittenSpan.Slice(RecordBatchLayout.HeaderSize, size).ToArray();
    }

    /// <summary>A whole batch holding at least <paramref name="recordBytes"/> bytes of records, compressed with <paramref name="codec"/>.</summary>
    public static byte[] Batch(CompressionType codec, int recordBytes)
    {
        using var builder = Fill(new RecordBatchBuilder(codec, initialCapacity: recordBytes + 4096), recordBytes);
        using var batch = builder.Build();
        return batch.WrittenSpan.ToArray();
    }

    private static RecordBatchBuilder Fill(RecordBatchBuilder builder, int size)
    {
        var random = new Random(2024);
        string[] events = ["page_view", "add_to_cart", "checkout", "login", "search"];
        string[] agents = ["Mozilla/5.0 (X11; Linux x86_64)", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)", "okhttp/4.12.0"];
        long timestamp = 1_730_000_000_000;
        var json = new StringBuilder();
        while (builder.UncompressedSize < size + RecordBatchLayout.HeaderSize)
        {
            timestamp += random.Next(0, 20);
            int user = random.Next(1_000_000);
            json.Clear()
                .Append("{\"event\":\"").Append(events[random.Next(events.Length)])
                .Append("\",\"user_id\":").Append(user)
                .Append(",\"session\":\"").Append(random.NextInt64().ToString("x16"))
                .Append("\",\"ts\":").Append(timestamp)
                .Append(",\"agent\":\"").Append(agents[random.Next(agents.Length)])
                .Append("\",\"price\":").Append(random.Next(100, 100_000) / 100.0)
                .Append('}');
            builder.Append(timestamp, Encoding.UTF8.GetBytes($"user-{user}"), Encoding.UTF8.GetBytes(json.ToString()));
        }
        return builder;
    }
}
