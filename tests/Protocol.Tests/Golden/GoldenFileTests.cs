using System.Text.RegularExpressions;
using Broker.Protocol.Messages;
using Broker.Protocol.Records;
using Broker.Protocol.Wire;

namespace Broker.Protocol.Tests.Golden;

/// <summary>
/// The committed frames in captured/ (see INDEX.md), checked without any client installed: each
/// decodes with the generated types to exactly what the client was told to send, and encoding the
/// decoded message gives back the captured bytes, byte for byte.
/// </summary>
public sealed partial class GoldenFileTests
{
    private static IEnumerable<string> FileNames =>
        Directory.GetFiles(GoldenFiles.CapturedDirectory, "*.bin").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal);

    public static TheoryData<string> Files => new(FileNames);

    private static DecodedFrame Load(string file) => GoldenFrame.Decode(GoldenFiles.Read(file));

    private static (DecodedFrame Frame, T Body) Load<T>(string file) where T : class, IApiMessage
    {
        var frame = Load(file);
        return (frame, frame.BodyAs<T>());
    }

    /// <summary>"kcat-produce-v7-gzip.bin" holds a Produce request at version 7.</summary>
    [GeneratedRegex(@"^(?<client>[a-z]+)-(?<api>[a-z]+)-v(?<version>\d+)(-[a-z0-9-]+)?\.bin$")]
    private static partial Regex FileName();

    [Fact]
    public void Index_lists_every_captured_file_and_nothing_else()
    {
        var index = File.ReadAllText(Path.Combine(GoldenFiles.CapturedDirectory, "INDEX.md"));
        var listed = Regex.Matches(index, @"^\| (\S+\.bin) \|", RegexOptions.Multiline).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal);
        Assert.Equal(FileNames, listed);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Frame_decodes_completely_and_reencodes_to_the_captured_bytes(string file)
    {
        var captured = GoldenFiles.Read(file);
        var name = FileName().Match(file);
        Assert.True(name.Success, $"{file} does not follow client-api-vN[-detail].bin");

        var frame = GoldenFrame.Decode(captured);

        Assert.Equal(name.Groups["api"].Value, frame.Api.Name.ToLowerInvariant());
        Assert.Equal(short.Parse(name.Groups["version"].Value), frame.Version);
        Assert.Equal(frame.Version, frame.Header.RequestApiVersion);
        Assert.Null(frame.Header.UnknownTaggedFields);
        var again = frame.Reencode();
        Assert.True(again.AsSpan().SequenceEqual(captured),
            $"{file} re-encodes differently:\n captured {Convert.ToHexString(captured)}\n encoded  {Convert.ToHexString(again)}");
    }

    [Theory]
    [InlineData("kcat-apiversions-v3.bin", 1, "rdkafka", "librdkafka", "2.0.2")]
    [InlineData("python-apiversions-v3.bin", 1, "golden-python", "confluent-kafka-python", "1.7.0-rdkafka-2.0.2")]
    // v2 predates the software fields, so kafkajs' body is empty and they read as their defaults.
    [InlineData("kafkajs-apiversions-v2.bin", 0, "golden-kafkajs", "", "")]
    public void ApiVersions_names_the_client(string file, int correlationId, string clientId, string softwareName, string softwareVersion)
    {
        var (frame, body) = Load<ApiVersionsRequest>(file);

        Assert.Equal(frame.Api.IsFlexible(frame.Version) ? 2 : 1, frame.HeaderVersion);
        Assert.Equal(correlationId, frame.Header.CorrelationId);
        Assert.Equal(clientId, frame.Header.ClientId);
        Assert.Equal(softwareName, body.ClientSoftwareName);
        Assert.Equal(softwareVersion, body.ClientSoftwareVersion);
        Assert.Null(body.UnknownTaggedFields);
    }

    [Theory]
    [InlineData("kcat-metadata-v4-all-topics.bin", "rdkafka", null)]
    [InlineData("kcat-metadata-v4.bin", "rdkafka", "golden")]
    [InlineData("python-metadata-v4.bin", "golden-python", "golden")]
    [InlineData("kafkajs-metadata-v6.bin", "golden-kafkajs", "golden")]
    public void Metadata_asks_for_the_topic_or_for_all(string file, string clientId, string? topic)
    {
        var (frame, body) = Load<MetadataRequest>(file);

        Assert.Equal(clientId, frame.Header.ClientId);
        if (topic is null)
            Assert.Null(body.Topics);
        else
            Assert.Equal([topic], body.Topics!.Select(t => t.Name));
        Assert.All(body.Topics ?? [], t => Assert.Equal(Uuid.Zero, t.TopicId));
        Assert.True(body.AllowAutoTopicCreation);
        Assert.False(body.IncludeClusterAuthorizedOperations);
        Assert.False(body.IncludeTopicAuthorizedOperations);
    }

    public static TheoryData<string, string, CompressionType, short, int, long> ProduceFiles => new()
    {
        // file, client id, codec, producer epoch, base sequence, the batch's one timestamp
        { "kcat-produce-v7-none.bin", "rdkafka", CompressionType.None, -1, -1, 1795269603286 },
        { "kcat-produce-v7-gzip.bin", "rdkafka", CompressionType.Gzip, -1, -1, 1795269603330 },
        { "kcat-produce-v7-snappy.bin", "rdkafka", CompressionType.Snappy, -1, -1, 1795269602111 },
        { "kcat-produce-v7-lz4.bin", "rdkafka", CompressionType.Lz4, -1, -1, 1795269602372 },
        { "kcat-produce-v7-zstd.bin", "rdkafka", CompressionType.Zstd, -1, -1, 1795269602404 },
        { "python-produce-v7-none.bin", "golden-python", CompressionType.None, -1, -1, 1795269604778 },
        { "python-produce-v7-gzip.bin", "golden-python", CompressionType.Gzip, -1, -1, 1795269604475 },
        { "python-produce-v7-snappy.bin", "golden-python", CompressionType.Snappy, -1, -1, 1795269604207 },
        { "python-produce-v7-lz4.bin", "golden-python", CompressionType.Lz4, -1, -1, 1795269603619 },
        { "python-produce-v7-zstd.bin", "golden-python", CompressionType.Zstd, -1, -1, 1795269604984 },
        // kafkajs writes producer epoch 0 and base sequence 0 in batches that are not idempotent,
        // where Kafka's own clients write -1; brokers accept both because producer id -1 rules.
        { "kafkajs-produce-v7-none.bin", "golden-kafkajs", CompressionType.None, 0, 0, 1795269607925 },
        { "kafkajs-produce-v7-gzip.bin", "golden-kafkajs", CompressionType.Gzip, 0, 0, 1795269606652 },
    };

    [Theory]
    [MemberData(nameof(ProduceFiles))]
    public void Produce_holds_one_intact_batch_of_the_records_sent(
        string file, string clientId, CompressionType codec, short producerEpoch, int baseSequence, long timestamp)
    {
        var (frame, body) = Load<ProduceRequest>(file);

        Assert.Equal(clientId, frame.Header.ClientId);
        Assert.Null(body.TransactionalId);
        Assert.Equal(-1, body.Acks);
        Assert.Equal(30000, body.TimeoutMs);
        var topic = Assert.Single(body.TopicData);
        Assert.Equal("golden", topic.Name);
        var partition = Assert.Single(topic.PartitionData);
        Assert.Equal(0, partition.Index);

        // Batches.Decode checks each batch's CRC32C before decompressing it with our codecs.
        var batch = Assert.Single(Batches.Decode(partition.Records));
        Assert.Equal(codec, batch.Compression);
        Assert.Equal(0, batch.BaseOffset);
        Assert.Equal(TimestampType.CreateTime, batch.TimestampType);
        Assert.False(batch.IsTransactional);
        Assert.Equal(-1, batch.ProducerId);
        Assert.Equal(producerEpoch, batch.ProducerEpoch);
        Assert.Equal(baseSequence, batch.BaseSequence);
        Assert.Equal(4, batch.LastOffsetDelta);
        Assert.Equal(timestamp, batch.BaseTimestamp);
        Assert.Equal(timestamp, batch.MaxTimestamp);
        Assert.Equal([0L, 1, 2, 3, 4], batch.Records.Select(r => r.Offset));
        Assert.All(batch.Records, r => Assert.Equal(timestamp, r.Timestamp));

        var codecName = codec.ToString().ToLowerInvariant();
        var sent = clientId switch
        {
            "rdkafka" => SentRecords.Kcat(codecName),
            "golden-python" => SentRecords.Python(codecName),
            _ => SentRecords.KafkaJs(codecName),
        };
        Assert.Equal(sent, batch.Records.Select(r => r.Content));
    }

    [Theory]
    [InlineData("kcat-fetch-v11.bin", "rdkafka", 4, 300, 2000000, 500000)]
    [InlineData("python-fetch-v11.bin", "golden-python", 7, 200, 3000000, 400000)]
    [InlineData("kafkajs-fetch-v11.bin", "golden-kafkajs", 0, 100, 5000000, 300000)]
    public void Fetch_starts_at_offset_0_with_the_limits_the_client_was_given(
        string file, string clientId, int correlationId, int maxWaitMs, int maxBytes, int partitionMaxBytes)
    {
        var (frame, body) = Load<FetchRequest>(file);

        Assert.Equal(clientId, frame.Header.ClientId);
        Assert.Equal(correlationId, frame.Header.CorrelationId);
        Assert.Equal(-1, body.ReplicaId);
        Assert.Equal(maxWaitMs, body.MaxWaitMs);
        Assert.Equal(1, body.MinBytes);
        Assert.Equal(maxBytes, body.MaxBytes);
        Assert.Equal(1, body.IsolationLevel);
        // No incremental fetch session (KIP-227): a full fetch request that opens none.
        Assert.Equal(0, body.SessionId);
        Assert.Equal(-1, body.SessionEpoch);
        Assert.Empty(body.ForgottenTopicsData);
        Assert.Equal("", body.RackId);
        var topic = Assert.Single(body.Topics);
        Assert.Equal("golden", topic.Topic);
        var partition = Assert.Single(topic.Partitions);
        Assert.Equal(0, partition.Partition);
        Assert.Equal(-1, partition.CurrentLeaderEpoch);
        Assert.Equal(0, partition.FetchOffset);
        Assert.Equal(-1, partition.LogStartOffset);
        Assert.Equal(partitionMaxBytes, partition.PartitionMaxBytes);
    }
}
