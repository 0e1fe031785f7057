namespace Broker.Protocol.Tests.Golden;

/// <summary>
/// What each client's producer test sends, shared by the live tests and the tests over the frames
/// they captured, so that a committed golden file is checked against the same expectation.
/// </summary>
internal static class SentRecords
{
    /// <summary>kcat's -H headers go on every line it produces.</summary>
    public static CannedRecord[] Kcat(string codec) => Make("kcat", codec, _ => [("client", "kcat"), ("codec", codec)]);

    public static CannedRecord[] Python(string codec)
    {
        var records = Make("python", codec, i => i switch
        {
            // A header without a value and a record with no headers: both are easy to get wrong.
            3 => [("client", "python"), ("nothing", null)],
            4 => [],
            _ => [("client", "python"), ("index", i.ToString())],
        });
        records[2] = records[2] with { Key = null };
        return records;
    }

    public static CannedRecord[] KafkaJs(string codec) =>
        Make("kafkajs", codec, i => [("client", "kafkajs"), ("index", i.ToString())]);

    /// <summary>
    /// Values are long and repetitive on purpose: librdkafka sends a batch uncompressed when the
    /// codec would not make it smaller, and then the codec under test would never be on the wire.
    /// </summary>
    private static CannedRecord[] Make(string client, string codec, Func<int, (string, string?)[]> headers) =>
        Enumerable.Range(0, 5)
            .Select(i => new CannedRecord(
                $"key-{i}",
                $"{client} {codec} record {i} " + string.Concat(Enumerable.Repeat("golden bytes ", 12)),
                headers(i)))
            .ToArray();
}
