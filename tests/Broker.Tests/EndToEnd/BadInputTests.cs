using System.Buffers.Binary;
using System.Text;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>
/// Bytes no client library would send, over a raw socket. The broker answers with the right error
/// or closes that connection only; a connection opened before the bad one keeps being served.
/// </summary>
public sealed class BadInputTests(SharedBroker shared, ITestOutputHelper output) : EndToEndTest(output), IClassFixture<SharedBroker>
{
    private const int DefaultMaxRequestBytes = 104857600;

    private readonly E2EBroker _broker = shared.Broker;

    public static TheoryData<string> FramesThatCloseTheConnection => new()
    {
        "http request",
        "oversized frame",
        "negative size",
        "size below a header",
        "unknown api key",
        "api key 32767",
        "negative api key",
        "unsupported version of a known api",
        "produce v2, advertised for librdkafka but refused",
        "truncated body",
        "frame cut short by the client",
    };

    [Theory]
    [MemberData(nameof(FramesThatCloseTheConnection))]
    public async Task Bad_frames_close_only_their_own_connection(string kind)
    {
        Watch(_broker);
        using var witness = await ConnectAndGreetAsync();

        using (var bad = await _broker.ConnectAsync())
        {
            await bad.SendRawAsync(BadFrame(kind, bad.NextCorrelationId()));
            // A frame cut short is the client hanging up mid-request: nothing to wait for on that side.
            if (kind != "frame cut short by the client")
                Assert.True(await bad.ClosedByBrokerAsync(), $"the broker answered a {kind} instead of closing the connection");
        }

        await AssertStillServingAsync(witness);
    }

    [Fact]
    public async Task An_unknown_api_key_is_one_warning_without_a_stack_trace()
    {
        Watch(_broker);
        var mark = _broker.Mark();
        using (var bad = await _broker.ConnectAsync())
        {
            await bad.SendRawAsync(BadFrame("api key 32767", bad.NextCorrelationId()));
            Assert.True(await bad.ClosedByBrokerAsync());
        }
        using var witness = await ConnectAndGreetAsync();
        await AssertStillServingAsync(witness);

        var lines = _broker.LogsSince(mark).Split('\n');
        Assert.Single(lines, l => l.Contains("warn:") && l.Contains("unknown or unsupported API key 32767"));
        Assert.DoesNotContain(lines, l => l.Contains("fail:") || l.Contains("Exception") || l.TrimStart().StartsWith("at "));
    }

    /// <summary>Found by the fuzzer: the answer could not be encoded, which logged a stack trace per request.</summary>
    [Fact]
    public async Task Metadata_below_v12_asking_for_a_topic_by_id_closes_with_one_warning()
    {
        Watch(_broker);
        var mark = _broker.Mark();
        using (var bad = await _broker.ConnectAsync())
        {
            var request = new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = null, TopicId = global::Broker.Protocol.Wire.Uuid.Random() }] };
            await bad.SendFrameAsync(KafkaConnection.Encode(request, 10, bad.NextCorrelationId()));
            Assert.True(await bad.ClosedByBrokerAsync());
        }
        using var witness = await ConnectAndGreetAsync();
        await AssertStillServingAsync(witness);
        var lines = _broker.LogsSince(mark).Split('\n');
        Assert.Single(lines, l => l.Contains("warn:") && l.Contains("Metadata v10"));
        Assert.DoesNotContain(lines, l => l.Contains("fail:") || l.Contains("Exception"));
    }

    [Fact]
    public async Task A_fetch_asking_to_wait_for_days_is_answered_within_the_long_poll_cap()
    {
        Watch(_broker);
        var topic = UniqueTopic("long-poll");
        await _broker.CreateTopicAsync(topic, 1);
        using var connection = await _broker.ConnectAsync();
        var correlationId = connection.NextCorrelationId();
        var request = new FetchRequest { MaxWaitMs = int.MaxValue, MinBytes = int.MaxValue, MaxBytes = 1 << 20, SessionEpoch = -1 };
        request.Topics.Add(new FetchRequest.FetchTopic
        {
            Topic = topic, Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = 0, PartitionMaxBytes = 1 << 20 }],
        });
        await connection.SendFrameAsync(KafkaConnection.Encode(request, 12, correlationId));

        // The empty partition never satisfies MinBytes: only the broker's cap on the wait ends it.
        var frame = await connection.ReadFrameAsync(TimeSpan.FromMilliseconds(global::Broker.Handlers.FetchLimits.MaxWaitMs) + KafkaConnection.Deadline);
        Assert.NotNull(frame);
        var response = KafkaConnection.Decode<FetchResponse>(frame, 12, correlationId);
        var partition = Assert.Single(Assert.Single(response.Responses).Partitions);
        Assert.Equal((short)ErrorCode.None, partition.ErrorCode);
        Assert.Equal(0, partition.HighWatermark);
    }

    [Fact]
    public async Task Api_versions_at_an_unknown_version_gets_the_v0_answer_with_the_supported_ranges()
    {
        Watch(_broker);
        using var witness = await ConnectAndGreetAsync();
        using var connection = await _broker.ConnectAsync();
        var correlationId = connection.NextCorrelationId();
        // Header v2 and a v3-shaped body, as a newer client would send before learning our versions.
        await connection.SendFrameAsync(Concat(Header(ApiKey.ApiVersions, 99, correlationId, flexible: true), [0x04, (byte)'e', (byte)'2', (byte)'e', 0x02, (byte)'9', 0x00]));

        var frame = await connection.ReadFrameAsync();
        Assert.NotNull(frame);
        var response = KafkaConnection.Decode<ApiVersionsResponse>(frame, 0, correlationId);
        Assert.Equal((short)ErrorCode.UnsupportedVersion, response.ErrorCode);
        var apiVersions = Assert.Single(response.ApiKeys, k => k.ApiKey == (short)ApiKey.ApiVersions);
        Assert.Equal(0, apiVersions.MinVersion);
        Assert.True(apiVersions.MaxVersion >= 3, $"ApiVersions max version {apiVersions.MaxVersion}");
        foreach (var key in new[] { ApiKey.Produce, ApiKey.Fetch, ApiKey.ListOffsets, ApiKey.Metadata })
            Assert.Contains(response.ApiKeys, k => k.ApiKey == (short)key && k.MinVersion <= k.MaxVersion);

        // The client retries at a version from the list, on the same connection.
        var retry = await connection.RequestAsync<ApiVersionsResponse>(new ApiVersionsRequest { ClientSoftwareName = "e2e", ClientSoftwareVersion = "9" }, 3);
        Assert.Equal((short)ErrorCode.None, retry.ErrorCode);
        await AssertStillServingAsync(witness);
    }

    [Fact]
    public async Task Produce_with_a_bad_crc_is_rejected_as_corrupt_and_nothing_is_appended()
    {
        Watch(_broker);
        var topic = UniqueTopic("bad-crc");
        await _broker.CreateTopicAsync(topic, 1);
        using var witness = await ConnectAndGreetAsync();
        using var connection = await _broker.ConnectAsync();

        var corrupt = Batch("first", "second");
        corrupt[^1] ^= 0xFF; // inside the last record, which the CRC covers
        var rejected = await ProduceAsync(connection, topic, corrupt);
        Assert.Equal((short)ErrorCode.CorruptMessage, rejected.ErrorCode);

        // Same connection, valid batch: it lands at offset 0, so the corrupt one left nothing behind.
        var accepted = await ProduceAsync(connection, topic, Batch("third"));
        Assert.Equal((short)ErrorCode.None, accepted.ErrorCode);
        Assert.Equal(0, accepted.BaseOffset);
        var consumed = Clients.ParseKcatJson(await Clients.KcatAsync(_broker, null, "-C", "-t", topic, "-e", "-J", "-q"));
        Assert.Equal(["third"], consumed.Select(c => c.Value));
        await AssertStillServingAsync(witness);
    }

    [Fact]
    public async Task Produce_with_invalid_acks_is_answered_with_invalid_required_acks()
    {
        Watch(_broker);
        var topic = UniqueTopic("bad-acks");
        await _broker.CreateTopicAsync(topic, 1);
        using var connection = await _broker.ConnectAsync();
        var response = await ProduceAsync(connection, topic, Batch("x"), acks: 5);
        Assert.Equal((short)ErrorCode.InvalidRequiredAcks, response.ErrorCode);
        await AssertStillServingAsync(connection);
    }

    private byte[] BadFrame(string kind, int correlationId) => kind switch
    {
        // Its first four bytes read as a size of about 1.2 GB.
        "http request" => Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"),
        // Only the size is sent: the broker must refuse without waiting for (or allocating) 100 MB.
        "oversized frame" => Size(DefaultMaxRequestBytes + 1),
        "negative size" => Size(-1),
        "size below a header" => Concat(Size(3), [0, 3, 0]),
        "unknown api key" => KafkaConnection.Frame(Header((ApiKey)9999, 0, correlationId, flexible: false)),
        "api key 32767" => KafkaConnection.Frame(Header((ApiKey)short.MaxValue, 0, correlationId, flexible: false)),
        "negative api key" => KafkaConnection.Frame(Header((ApiKey)(-2), 0, correlationId, flexible: false)),
        "unsupported version of a known api" => KafkaConnection.Frame(Concat(Header(ApiKey.Metadata, 99, correlationId, flexible: true), [0x01, 0x01, 0x00, 0x00, 0x00])),
        // Produce v0-v2 appear in ApiVersions only because librdkafka looks for v0 before compressing.
        "produce v2, advertised for librdkafka but refused" => KafkaConnection.Frame(Concat(Header(ApiKey.Produce, 2, correlationId, flexible: false), [0xFF, 0xFF, 0, 0, 0x13, 0x88, 0, 0, 0, 0])),
        // Metadata v12 whose topic array claims a million entries and then ends.
        "truncated body" => KafkaConnection.Frame(Concat(Header(ApiKey.Metadata, 12, correlationId, flexible: true), [0xC1, 0x84, 0x3D])),
        "frame cut short by the client" => Concat(Size(100), Header(ApiKey.Metadata, 12, correlationId, flexible: true)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private async Task<KafkaConnection> ConnectAndGreetAsync()
    {
        var connection = await _broker.ConnectAsync();
        var response = await connection.RequestAsync<ApiVersionsResponse>(new ApiVersionsRequest { ClientSoftwareName = "e2e", ClientSoftwareVersion = "1" }, 3);
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        return connection;
    }

    /// <summary>The old connection still gets Metadata answers, and new connections are still accepted.</summary>
    private async Task AssertStillServingAsync(KafkaConnection witness)
    {
        foreach (var connection in new[] { witness, await _broker.ConnectAsync() })
        {
            var metadata = await connection.RequestAsync<MetadataResponse>(new MetadataRequest { Topics = null }, 12);
            var broker = Assert.Single(metadata.Brokers);
            Assert.Equal((1, "127.0.0.1", _broker.Port), (broker.NodeId, broker.Host, broker.Port));
            if (connection != witness)
                connection.Dispose();
        }
    }

    private static Task<ProduceResponse.PartitionProduceResponse> ProduceAsync(KafkaConnection connection, string topic, byte[] batch, short acks = -1) =>
        RawProduce.SendAsync(connection, topic, batch, acks);

    private static byte[] Batch(params string[] values) => RawProduce.Batch(values);

    /// <summary>A request header written by hand, so versions the generated code refuses can be sent.</summary>
    private static byte[] Header(ApiKey key, short version, int correlationId, bool flexible)
    {
        var clientId = "e2e-raw"u8;
        var header = new byte[8 + 2 + clientId.Length + (flexible ? 1 : 0)];
        BinaryPrimitives.WriteInt16BigEndian(header, (short)key);
        BinaryPrimitives.WriteInt16BigEndian(header.AsSpan(2), version);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), correlationId);
        BinaryPrimitives.WriteInt16BigEndian(header.AsSpan(8), (short)clientId.Length);
        clientId.CopyTo(header.AsSpan(10));
        return header; // a flexible header ends with an empty tagged-field section: the trailing zero
    }

    private static byte[] Size(int size)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, size);
        return bytes;
    }

    private static byte[] Concat(byte[] first, byte[] second) => [.. first, .. second];
}
