using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>Clients pipeline requests on one connection; answers must come back one per request, in order.</summary>
public sealed class PipeliningTests(SharedBroker shared, ITestOutputHelper output) : EndToEndTest(output), IClassFixture<SharedBroker>
{
    private readonly E2EBroker _broker = shared.Broker;

    [Fact]
    public async Task Requests_written_back_to_back_in_one_write_are_answered_in_order()
    {
        Watch(_broker);
        using var connection = await _broker.ConnectAsync();
        const int count = 200;
        var requests = new List<(int CorrelationId, bool IsMetadata)>();
        var bytes = new List<byte>();
        for (var i = 0; i < count; i++)
        {
            var correlationId = connection.NextCorrelationId();
            var isMetadata = i % 3 == 0;
            IApiMessage request = isMetadata
                ? new MetadataRequest { Topics = [], AllowAutoTopicCreation = false }
                : new ApiVersionsRequest { ClientSoftwareName = "e2e", ClientSoftwareVersion = "1" };
            bytes.AddRange(KafkaConnection.Frame(KafkaConnection.Encode(request, isMetadata ? (short)12 : (short)3, correlationId)));
            requests.Add((correlationId, isMetadata));
        }
        await connection.SendRawAsync(bytes.ToArray());

        foreach (var (correlationId, isMetadata) in requests)
        {
            var frame = await connection.ReadFrameAsync();
            Assert.NotNull(frame);
            if (isMetadata)
                Assert.Equal(1, Assert.Single(KafkaConnection.Decode<MetadataResponse>(frame, 12, correlationId).Brokers).NodeId);
            else
                Assert.Equal((short)ErrorCode.None, KafkaConnection.Decode<ApiVersionsResponse>(frame, 3, correlationId).ErrorCode);
        }
    }
}
