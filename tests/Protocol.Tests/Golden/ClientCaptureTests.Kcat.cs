using Broker.Protocol.Messages;

namespace Broker.Protocol.Tests.Golden;

public sealed partial class ClientCaptureTests
{
    /// <summary>librdkafka's default client.id, which kcat keeps.</summary>
    private const string KcatClientId = "rdkafka";

    private static Task<ClientRun> Kcat(RecordingBroker broker, IEnumerable<string> arguments, string? stdin = null) =>
        ClientProcess.RunAsync("kcat", ["-b", broker.BootstrapServers, .. arguments], stdin);

    [Fact]
    public async Task Kcat_list_sends_ApiVersions_and_Metadata_for_all_topics()
    {
        await using var broker = new RecordingBroker();

        var run = await Kcat(broker, ["-L"]);

        AssertSucceeded(run, broker);
        // kcat printing our answer back checks the Metadata response encoding as well.
        Assert.Contains($"broker 0 at {broker.BootstrapServers}", run.Stdout);
        Assert.Contains($"topic \"{Topic}\" with 1 partitions", run.Stdout);
        Assert.Contains("partition 0, leader 0, replicas: 0, isrs: 0", run.Stdout);

        var apiVersions = First(broker, ApiKey.ApiVersions);
        var (apiHeader, apiBody) = Decode<ApiVersionsRequest>(apiVersions);
        Assert.Equal(3, apiVersions.Version);
        Assert.Equal(2, ApiMessages.All.Single(a => a.Key == ApiKey.ApiVersions).RequestHeaderVersion(apiVersions.Version));
        Assert.Equal(KcatClientId, apiHeader.ClientId);
        Assert.Equal("librdkafka", apiBody.ClientSoftwareName);
        Assert.Matches(@"^\d+\.\d+\.\d+", apiBody.ClientSoftwareVersion);

        var metadata = All<MetadataRequest>(broker, ApiKey.Metadata).ToList();
        Assert.All(metadata, m => Assert.Equal(KcatClientId, m.Header.ClientId));
        // A null topic list is "every topic"; an empty one (brokers only) may come first.
        var all = metadata.First(m => m.Body.Topics is null);
        Assert.True(all.Body.AllowAutoTopicCreation);
        Assert.False(all.Body.IncludeClusterAuthorizedOperations);

        AssertEveryFrameReencodesExactly(broker);
        GoldenFiles.SaveIfRequested($"kcat-apiversions-v{apiVersions.Version}.bin", apiVersions);
        GoldenFiles.SaveIfRequested($"kcat-metadata-v{all.Request.Version}-all-topics.bin", all.Request);
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public async Task Kcat_produce_batch_decodes_to_the_lines_sent(string codec)
    {
        await using var broker = new RecordingBroker();
        var sent = SentRecords.Kcat(codec);
        var input = string.Concat(sent.Select(r => $"{r.Key}:{r.Value}\n"));
        List<string> arguments = ["-P", "-t", Topic, "-K:", "-H", "client=kcat", "-H", $"codec={codec}"];
        if (codec != "none")
            arguments.AddRange(["-z", codec]);

        long from = NowMs;
        var run = await Kcat(broker, arguments, input);
        long until = NowMs;

        AssertSucceeded(run, broker);
        var produce = AssertProduced(broker, KcatClientId, sent, CodecType(codec), from, until);
        var (_, body) = Decode<ProduceRequest>(produce);
        Assert.Equal(30000, body.TimeoutMs);
        // Depending on timing librdkafka may first ask for brokers only (an empty list).
        var metadata = All<MetadataRequest>(broker, ApiKey.Metadata).First(m => m.Body.Topics is not null and not []);
        Assert.Equal([Topic], metadata.Body.Topics!.Select(t => t.Name));

        AssertEveryFrameReencodesExactly(broker);
        SaveProducerGoldens(broker, "kcat", codec, produce, metadata.Request);
    }

    /// <summary>
    /// The canned batch goes out compressed with each codec: kcat printing the records back checks
    /// our Fetch response and our compressors against librdkafka's decoders.
    /// </summary>
    [Theory]
    [MemberData(nameof(AllCodecs))]
    public async Task Kcat_consume_sends_Fetch_from_offset_0_and_prints_the_canned_records(string codec)
    {
        await using var broker = new RecordingBroker(new RecordingBrokerOptions { FetchCompression = CodecType(codec) });

        var run = await Kcat(broker,
        [
            "-C", "-t", Topic, "-p", "0", "-o", "0", "-c", "3", "-e", "-Z", "-f", "%k|%s|%h|%o|%T\\n",
            "-X", "fetch.wait.max.ms=300", "-X", "fetch.max.bytes=2000000", "-X", "max.partition.fetch.bytes=500000",
            "-X", "isolation.level=read_committed",
        ]);

        AssertSucceeded(run, broker);
        Assert.Equal(
            [
                "k0|canned value zero|h=0|0|1700000000000",
                "k1|canned value one||1|1700000000001",
                "NULL|canned value with null key|h=2,empty=|2|1700000000002",
            ],
            run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var fetch = AssertFirstFetch(broker, KcatClientId, isolationLevel: 1);
        Assert.Equal(300, fetch.Body.MaxWaitMs);
        Assert.Equal(1, fetch.Body.MinBytes);
        Assert.Equal(2000000, fetch.Body.MaxBytes);
        Assert.Equal(500000, fetch.Body.Topics[0].Partitions[0].PartitionMaxBytes);
        // No fetch sessions (KIP-227) from a plain partition consumer: full fetches every time.
        Assert.Equal(0, fetch.Body.SessionId);
        Assert.Equal(-1, fetch.Body.SessionEpoch);

        AssertEveryFrameReencodesExactly(broker);
        if (codec == "none")
            GoldenFiles.SaveIfRequested($"kcat-fetch-v{fetch.Request.Version}.bin", fetch.Request);
    }
}
