using System.Text.Json;
using Broker.Protocol.Messages;
using Broker.Protocol.Records;
using Broker.Protocol.Wire;

namespace Broker.Protocol.Tests.Golden;

/// <summary>
/// Real clients (kcat, confluent-kafka-python, kafkajs) against <see cref="RecordingBroker"/>: what
/// they send must decode with the generated types to the values the client was told to send, and
/// what they print back must be what the fake served, which checks our response encoders too.
/// One class so that the client processes run one at a time on small machines.
/// </summary>
public sealed partial class ClientCaptureTests
{
    private const string Topic = "golden";

    public static TheoryData<string> AllCodecs => new("none", "gzip", "snappy", "lz4", "zstd");

    private static CompressionType CodecType(string codec) => Enum.Parse<CompressionType>(codec, ignoreCase: true);

    private static long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static void AssertSucceeded(ClientRun run, RecordingBroker broker)
    {
        if (run.ExitCode != 0 || broker.Faults.Count > 0)
            Assert.Fail($"{run}\n{broker.Describe()}");
    }

    /// <summary>
    /// Byte-for-byte identity of decode-then-encode: every field, default, null marker, compact
    /// length and tagged-field section the client wrote is one our encoder writes the same way.
    /// </summary>
    private static void AssertEveryFrameReencodesExactly(RecordingBroker broker)
    {
        foreach (var request in broker.Requests)
        {
            var decoded = GoldenFrame.Decode(request.Frame);
            var again = decoded.Reencode();
            Assert.True(again.AsSpan().SequenceEqual(request.Frame),
                $"{request} re-encodes differently:\n captured {Convert.ToHexString(request.Frame)}\n encoded  {Convert.ToHexString(again)}");
        }
    }

    private static (RequestHeader Header, T Body) Decode<T>(CapturedRequest request) where T : class, IApiMessage
    {
        var decoded = GoldenFrame.Decode(request.Frame);
        return (decoded.Header, decoded.BodyAs<T>());
    }

    private static IEnumerable<(CapturedRequest Request, RequestHeader Header, T Body)> All<T>(RecordingBroker broker, ApiKey key)
        where T : class, IApiMessage =>
        broker.RequestsOf(key).Select(r =>
        {
            var (header, body) = Decode<T>(r);
            return (r, header, body);
        });

    /// <summary>
    /// Checks every Produce request the client sent and returns the first. The client may split
    /// the records over several requests or batches; together they must be exactly what was sent,
    /// in order, each batch compressed with <paramref name="codec"/> and intact (CRC checked).
    /// </summary>
    private static CapturedRequest AssertProduced(
        RecordingBroker broker, string clientId, CannedRecord[] sent, CompressionType codec, long sentFromMs, long sentUntilMs)
    {
        var produces = All<ProduceRequest>(broker, ApiKey.Produce).ToList();
        Assert.NotEmpty(produces);
        var received = new List<CannedRecord>();
        foreach (var (request, header, body) in produces)
        {
            Assert.Equal(clientId, header.ClientId);
            Assert.Equal(-1, body.Acks);
            Assert.Null(body.TransactionalId);
            var topic = Assert.Single(body.TopicData);
            Assert.Equal(Topic, topic.Name);
            var partition = Assert.Single(topic.PartitionData);
            Assert.Equal(0, partition.Index);
            foreach (var batch in Batches.Decode(partition.Records))
            {
                Assert.Equal(codec, batch.Compression);
                Assert.Equal(TimestampType.CreateTime, batch.TimestampType);
                Assert.False(batch.IsTransactional);
                Assert.Equal(0, batch.BaseOffset);
                Assert.Equal(batch.Records.Count - 1, batch.LastOffsetDelta);
                Assert.Equal(Enumerable.Range(0, batch.Records.Count).Select(i => (long)i), batch.Records.Select(r => r.Offset));
                foreach (var record in batch.Records)
                    Assert.InRange(record.Timestamp, sentFromMs, sentUntilMs);
                Assert.Equal(batch.Records.Max(r => r.Timestamp), batch.MaxTimestamp);
                received.AddRange(batch.Records.Select(r => r.Content));
            }
        }
        Assert.Equal(sent, received);
        return produces[0].Request;
    }

    private static string RecordsAsJson(IEnumerable<CannedRecord> records) =>
        JsonSerializer.Serialize(records.Select(r => new
        {
            key = r.Key,
            value = r.Value,
            headers = r.Headers.Select(h => new[] { h.Key, h.Value }),
        }));

    private sealed record ConsumedLine(string? Key, string? Value, string?[][] Headers, long Offset, long Timestamp);

    /// <summary>Parses the JSON lines the Python and Node consumers print, one per record.</summary>
    private static List<(CannedRecord Record, long Offset, long Timestamp)> ParseConsumed(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => JsonSerializer.Deserialize<ConsumedLine>(line, new JsonSerializerOptions(JsonSerializerDefaults.Web))
                ?? throw new FormatException($"Not a record: {line}"))
            .Select(c => (new CannedRecord(c.Key, c.Value, c.Headers.Select(h => (h[0]!, h[1])).ToArray()), c.Offset, c.Timestamp))
            .ToList();

    /// <summary>A consumer must have printed exactly the canned records, offsets and timestamps included.</summary>
    private static void AssertConsumedCanned(RecordingBroker broker, ClientRun run)
    {
        var consumed = ParseConsumed(run.Stdout);
        var canned = broker.Options.FetchRecords;
        Assert.True(consumed.Count == canned.Count, $"Expected {canned.Count} records.\n{run}");
        for (int i = 0; i < canned.Count; i++)
        {
            Assert.Equal(canned[i], consumed[i].Record);
            Assert.Equal(i, consumed[i].Offset);
            Assert.Equal(broker.Options.FetchBaseTimestamp + i, consumed[i].Timestamp);
        }
    }

    /// <summary>The first Fetch a consumer sends, which starts at offset 0 of our one partition.</summary>
    private static (CapturedRequest Request, RequestHeader Header, FetchRequest Body) AssertFirstFetch(
        RecordingBroker broker, string clientId, sbyte isolationLevel)
    {
        var first = All<FetchRequest>(broker, ApiKey.Fetch).First();
        Assert.Equal(clientId, first.Header.ClientId);
        Assert.Equal(-1, first.Body.ReplicaId);
        Assert.Equal(isolationLevel, first.Body.IsolationLevel);
        var topic = Assert.Single(first.Body.Topics);
        Assert.Equal(Topic, topic.Topic);
        var partition = Assert.Single(topic.Partitions);
        Assert.Equal(0, partition.Partition);
        Assert.Equal(0, partition.FetchOffset);
        return first;
    }

    /// <summary>
    /// The classic group protocol a subscribing consumer walks before its first Fetch, against a
    /// fake that makes every joiner the sole member and leader of its group. Saves each step
    /// unless <paramref name="goldenPrefix"/> is null.
    /// </summary>
    private static void AssertJoinedAsSoleMember(RecordingBroker broker, string clientId, string group, string? goldenPrefix)
    {
        var findCoordinator = All<FindCoordinatorRequest>(broker, ApiKey.FindCoordinator).First();
        Assert.Equal(group, findCoordinator.Body.Key);
        Assert.Equal(0, findCoordinator.Body.KeyType);

        var join = All<JoinGroupRequest>(broker, ApiKey.JoinGroup).First();
        Assert.Equal(group, join.Body.GroupId);
        Assert.Equal("", join.Body.MemberId);
        Assert.Null(join.Body.GroupInstanceId);
        Assert.Equal("consumer", join.Body.ProtocolType);

        var sync = All<SyncGroupRequest>(broker, ApiKey.SyncGroup).First();
        Assert.Equal(group, sync.Body.GroupId);
        Assert.Equal(1, sync.Body.GenerationId);
        Assert.StartsWith(clientId + "-", sync.Body.MemberId);
        Assert.Equal(sync.Body.MemberId, Assert.Single(sync.Body.Assignments).MemberId);

        var offsetFetch = All<OffsetFetchRequest>(broker, ApiKey.OffsetFetch).First();
        Assert.Equal(group, offsetFetch.Body.GroupId);
        var committed = Assert.Single(offsetFetch.Body.Topics!);
        Assert.Equal(Topic, committed.Name);
        Assert.Equal([0], committed.PartitionIndexes);

        // Nothing committed, so the consumer resets to the earliest offset (timestamp -2).
        var listOffsets = All<ListOffsetsRequest>(broker, ApiKey.ListOffsets).First();
        var listedTopic = Assert.Single(listOffsets.Body.Topics);
        Assert.Equal(Topic, listedTopic.Name);
        Assert.Equal(-2, Assert.Single(listedTopic.Partitions).Timestamp);

        if (goldenPrefix is null)
            return;
        foreach (var request in new[] { findCoordinator.Request, join.Request, sync.Request, offsetFetch.Request, listOffsets.Request })
            GoldenFiles.SaveIfRequested($"{goldenPrefix}-{request.ApiKey.ToString().ToLowerInvariant()}-v{request.Version}.bin", request);
    }

    /// <summary>Saves what every producer test captures, under names like kcat-produce-v7-gzip.bin.</summary>
    private static void SaveProducerGoldens(RecordingBroker broker, string goldenPrefix, string codec, CapturedRequest produce, CapturedRequest metadata)
    {
        GoldenFiles.SaveIfRequested($"{goldenPrefix}-produce-v{produce.Version}-{codec}.bin", produce);
        if (codec != "none")
            return;
        var apiVersions = First(broker, ApiKey.ApiVersions);
        GoldenFiles.SaveIfRequested($"{goldenPrefix}-apiversions-v{apiVersions.Version}.bin", apiVersions);
        GoldenFiles.SaveIfRequested($"{goldenPrefix}-metadata-v{metadata.Version}.bin", metadata);
    }

    private static CapturedRequest First(RecordingBroker broker, ApiKey key) =>
        broker.RequestsOf(key).FirstOrDefault() ?? throw new Xunit.Sdk.XunitException($"No {key} request. {broker.Describe()}");
}
