using Broker.Protocol.Messages;

namespace Broker.Protocol.Tests.Golden;

public sealed partial class ClientCaptureTests
{
    private const string KafkaJsClientId = "golden-kafkajs";
    private const string KafkaJsGroup = "golden-kafkajs-group";

    public static TheoryData<string> KafkaJsCodecs => new("none", "gzip");

    private static Task<ClientRun> KafkaJs(RecordingBroker broker, IEnumerable<string> arguments, string? stdin = null)
    {
        // The repo pins kafkajs under tests/clients; the script lives elsewhere, so point Node there.
        var environment = new Dictionary<string, string>
        {
            ["NODE_PATH"] = Path.Combine(GoldenFiles.RepositoryRoot, "tests", "clients", "node_modules"),
        };
        return ClientProcess.RunAsync("node",
            [GoldenFiles.ClientScript("kafkajs_client.js"), .. arguments,
             "--bootstrap", broker.BootstrapServers, "--topic", Topic, "--client-id", KafkaJsClientId],
            stdin, environment);
    }

    /// <summary>kafkajs ships gzip only; the other codecs need plugins the repo does not pin.</summary>
    [Theory]
    [MemberData(nameof(KafkaJsCodecs))]
    public async Task KafkaJs_produce_batch_decodes_to_the_records_sent(string codec)
    {
        await using var broker = new RecordingBroker();
        var sent = SentRecords.KafkaJs(codec);

        long from = NowMs;
        var run = await KafkaJs(broker, ["produce", "--compression", codec], RecordsAsJson(sent));
        long until = NowMs;

        AssertSucceeded(run, broker);
        var produce = AssertProduced(broker, KafkaJsClientId, sent, CodecType(codec), from, until);
        Assert.Equal(30000, Decode<ProduceRequest>(produce).Body.TimeoutMs);

        // kafkajs stops at ApiVersions v2, before the flexible versions that carry the client's name.
        var apiVersions = First(broker, ApiKey.ApiVersions);
        var (apiHeader, apiBody) = Decode<ApiVersionsRequest>(apiVersions);
        Assert.Equal(2, apiVersions.Version);
        Assert.Equal(KafkaJsClientId, apiHeader.ClientId);
        Assert.Equal("", apiBody.ClientSoftwareName);

        var metadata = All<MetadataRequest>(broker, ApiKey.Metadata).First();
        Assert.Equal(6, metadata.Request.Version);
        Assert.Equal([Topic], metadata.Body.Topics!.Select(t => t.Name));
        Assert.True(metadata.Body.AllowAutoTopicCreation);

        AssertEveryFrameReencodesExactly(broker);
        SaveProducerGoldens(broker, "kafkajs", codec, produce, metadata.Request);
    }

    /// <summary>With a gzip canned batch, kafkajs' own gunzip checks our gzip encoder too.</summary>
    [Theory]
    [MemberData(nameof(KafkaJsCodecs))]
    public async Task KafkaJs_group_consumer_joins_fetches_from_offset_0_and_prints_the_canned_records(string codec)
    {
        await using var broker = new RecordingBroker(new RecordingBrokerOptions { FetchCompression = CodecType(codec) });

        var run = await KafkaJs(broker, ["consume", "--group", KafkaJsGroup, "--count", "3"]);

        AssertSucceeded(run, broker);
        AssertConsumedCanned(broker, run);

        AssertJoinedAsSoleMember(broker, KafkaJsClientId, KafkaJsGroup, codec == "none" ? "kafkajs" : null);
        var join = All<JoinGroupRequest>(broker, ApiKey.JoinGroup).First();
        Assert.Equal(30000, join.Body.SessionTimeoutMs);
        Assert.Equal(60000, join.Body.RebalanceTimeoutMs);
        Assert.Equal("RoundRobinAssigner", Assert.Single(join.Body.Protocols).Name);

        // The script asks for these; kafkajs reads committed data by default.
        var fetch = AssertFirstFetch(broker, KafkaJsClientId, isolationLevel: 1);
        Assert.Equal(100, fetch.Body.MaxWaitMs);
        Assert.Equal(5_000_000, fetch.Body.MaxBytes);
        Assert.Equal(300_000, fetch.Body.Topics[0].Partitions[0].PartitionMaxBytes);

        AssertEveryFrameReencodesExactly(broker);
        if (codec == "none")
            GoldenFiles.SaveIfRequested($"kafkajs-fetch-v{fetch.Request.Version}.bin", fetch.Request);
    }
}
