using Broker.Protocol.Messages;

namespace Broker.Protocol.Tests.Golden;

public sealed partial class ClientCaptureTests
{
    private const string PythonClientId = "golden-python";
    private const string PythonGroup = "golden-python-group";

    /// <summary>Debian's python3-confluent-kafka, not whatever python3 comes first on PATH.</summary>
    private const string SystemPython = "/usr/bin/python3";

    private static Task<ClientRun> ConfluentPython(RecordingBroker broker, IEnumerable<string> arguments, string? stdin = null) =>
        ClientProcess.RunAsync(SystemPython,
            [GoldenFiles.ClientScript("confluent_client.py"), .. arguments,
             "--bootstrap", broker.BootstrapServers, "--topic", Topic, "--client-id", PythonClientId],
            stdin);

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public async Task ConfluentPython_produce_batch_decodes_to_the_records_sent(string codec)
    {
        await using var broker = new RecordingBroker();
        var sent = SentRecords.Python(codec);

        long from = NowMs;
        var run = await ConfluentPython(broker, ["produce", "--compression", codec], RecordsAsJson(sent));
        long until = NowMs;

        AssertSucceeded(run, broker);
        var produce = AssertProduced(broker, PythonClientId, sent, CodecType(codec), from, until);

        var apiVersions = First(broker, ApiKey.ApiVersions);
        var (apiHeader, apiBody) = Decode<ApiVersionsRequest>(apiVersions);
        Assert.Equal(PythonClientId, apiHeader.ClientId);
        Assert.Equal("confluent-kafka-python", apiBody.ClientSoftwareName);
        Assert.Matches(@"^\d+\.\d+\.\d+-rdkafka-\d+\.\d+\.\d+", apiBody.ClientSoftwareVersion);
        var metadata = All<MetadataRequest>(broker, ApiKey.Metadata).First(m => m.Body.Topics is not null and not []);
        Assert.Equal(Topic, metadata.Body.Topics![0].Name);
        Assert.True(metadata.Body.AllowAutoTopicCreation);

        AssertEveryFrameReencodesExactly(broker);
        SaveProducerGoldens(broker, "python", codec, produce, metadata.Request);
    }

    /// <summary>
    /// A subscribing consumer walks the whole classic group protocol before its first Fetch; every
    /// step is decoded here, and the records it prints are the canned ones.
    /// </summary>
    [Fact]
    public async Task ConfluentPython_group_consumer_joins_fetches_from_offset_0_and_prints_the_canned_records()
    {
        await using var broker = new RecordingBroker();

        var run = await ConfluentPython(broker,
            ["consume", "--group", PythonGroup, "--count", "3",
             "--config", "fetch.wait.max.ms=200", "--config", "fetch.max.bytes=3000000",
             "--config", "max.partition.fetch.bytes=400000"]);

        AssertSucceeded(run, broker);
        AssertConsumedCanned(broker, run);

        AssertJoinedAsSoleMember(broker, PythonClientId, PythonGroup, "python");
        var join = All<JoinGroupRequest>(broker, ApiKey.JoinGroup).First();
        Assert.Equal(["range", "roundrobin"], join.Body.Protocols.Select(p => p.Name));
        Assert.True(All<OffsetFetchRequest>(broker, ApiKey.OffsetFetch).First().Body.RequireStable);
        Assert.Equal(1, All<ListOffsetsRequest>(broker, ApiKey.ListOffsets).First().Body.IsolationLevel);

        var fetch = AssertFirstFetch(broker, PythonClientId, isolationLevel: 1);
        Assert.Equal(200, fetch.Body.MaxWaitMs);
        Assert.Equal(3000000, fetch.Body.MaxBytes);
        Assert.Equal(400000, fetch.Body.Topics[0].Partitions[0].PartitionMaxBytes);

        AssertEveryFrameReencodesExactly(broker);
        GoldenFiles.SaveIfRequested($"python-fetch-v{fetch.Request.Version}.bin", fetch.Request);
    }
}
