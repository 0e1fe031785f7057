using System.Buffers.Binary;
using System.Net.Sockets;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;

namespace Broker.Protocol.Tests.Golden;

/// <summary>The fake's own edges, which the client tests only reach by accident.</summary>
public sealed class RecordingBrokerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private static async Task<NetworkStream> ConnectAsync(RecordingBroker broker, TcpClient client)
    {
        await client.ConnectAsync(broker.Host, broker.Port).WaitAsync(Deadline);
        return client.GetStream();
    }

    private static byte[] Frame(short apiKey, short version, int correlationId, string clientId, byte[] body)
    {
        var header = new RequestHeader { RequestApiKey = apiKey, RequestApiVersion = version, CorrelationId = correlationId, ClientId = clientId };
        return GoldenFrame.Encode(header, 1, new RawBody(body), 0);
    }

    /// <summary>Bytes written as they are, for bodies no generated type describes.</summary>
    private sealed class RawBody(byte[] bytes) : IKafkaMessage
    {
        public short LowestVersion => 0;
        public short HighestVersion => short.MaxValue;
        public void Read(ref KafkaReader reader, short version) => throw new NotSupportedException();
        public void Write(KafkaWriter writer, short version) => writer.WriteRaw(bytes);
    }

    private static async Task<byte[]> ReadFrameAsync(NetworkStream stream)
    {
        var size = new byte[4];
        await stream.ReadExactlyAsync(size).AsTask().WaitAsync(Deadline);
        var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
        await stream.ReadExactlyAsync(frame).AsTask().WaitAsync(Deadline);
        return frame;
    }

    [Fact]
    public async Task ApiVersions_newer_than_known_is_answered_at_v0_with_UNSUPPORTED_VERSION_and_the_ranges()
    {
        await using var broker = new RecordingBroker();
        using var client = new TcpClient();
        var stream = await ConnectAsync(broker, client);

        // A future version's body is unknown to us; the answer must not depend on it.
        await stream.WriteAsync(Frame((short)ApiKey.ApiVersions, 99, 7, "future", [0xDE, 0xAD]));
        var response = await ReadFrameAsync(stream);

        var reader = new KafkaReader(response);
        var header = new ResponseHeader();
        header.Read(ref reader, 0);
        var body = new ApiVersionsResponse();
        body.Read(ref reader, 0);
        reader.EnsureEnd("ApiVersions v0 response");
        Assert.Equal(7, header.CorrelationId);
        Assert.Equal(35, body.ErrorCode);
        var produce = Assert.Single(body.ApiKeys, k => k.ApiKey == (short)ApiKey.Produce);
        Assert.Equal(0, produce.MinVersion);
        Assert.Equal(ApiMessages.All.Single(a => a.Key == ApiKey.Produce).HighestVersion, produce.MaxVersion);
        Assert.Equal(ApiMessages.All.Count, body.ApiKeys.Count);
        Assert.Equal(99, Assert.Single(broker.Requests).Version);
    }

    [Fact]
    public async Task Unknown_api_key_closes_the_connection_and_is_reported()
    {
        await using var broker = new RecordingBroker();
        using var client = new TcpClient();
        var stream = await ConnectAsync(broker, client);

        await stream.WriteAsync(Frame(9999, 0, 1, "nobody", []));

        var buffer = new byte[1];
        Assert.Equal(0, await stream.ReadAsync(buffer).AsTask().WaitAsync(Deadline));
        Assert.Contains(broker.Faults, f => f.Contains("unknown api key 9999"));
        Assert.Empty(broker.Requests);
    }

    [Fact]
    public async Task Fetch_at_the_log_end_waits_no_longer_than_the_cap_and_returns_no_records()
    {
        await using var broker = new RecordingBroker(new RecordingBrokerOptions { EmptyFetchWaitCap = TimeSpan.FromMilliseconds(50) });
        using var client = new TcpClient();
        var stream = await ConnectAsync(broker, client);
        var fetch = new FetchRequest
        {
            MaxWaitMs = 60_000,
            Topics = [new FetchRequest.FetchTopic { Topic = "golden", Partitions = [new FetchRequest.FetchPartition { FetchOffset = broker.FetchEndOffset }] }],
        };
        var header = new RequestHeader { RequestApiKey = (short)ApiKey.Fetch, RequestApiVersion = 11, CorrelationId = 3, ClientId = "test" };

        await stream.WriteAsync(GoldenFrame.Encode(header, 1, fetch, 11));
        // Far below the 60 s the request allows: the cap applies.
        var response = await ReadFrameAsync(stream);

        var reader = new KafkaReader(response);
        new ResponseHeader().Read(ref reader, 0);
        var body = new FetchResponse();
        body.Read(ref reader, 11);
        var partition = Assert.Single(Assert.Single(body.Responses).Partitions);
        Assert.Equal(0, partition.ErrorCode);
        Assert.Equal(broker.FetchEndOffset, partition.HighWatermark);
        Assert.Equal(0, partition.Records!.Value.Length);
    }
}
