using System.Buffers.Binary;
using System.Net;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>A broker that closes connections idle for a second.</summary>
public sealed class IdleLimitBroker : SharedBroker
{
    protected override Task<E2EBroker> StartAsync() => E2EBroker.StartAsync("connections.max.idle.ms=1000");
}

/// <summary>connections.max.idle.ms over the wire: quiet connections go, busy ones stay.</summary>
public sealed class IdleConnectionTests(IdleLimitBroker shared, ITestOutputHelper output) : EndToEndTest(output), IClassFixture<IdleLimitBroker>
{
    private readonly E2EBroker _broker = shared.Broker;

    [Fact]
    public async Task A_connection_quiet_after_its_answer_is_closed()
    {
        Watch(_broker);
        using var connection = await _broker.ConnectAsync();
        await NetworkLimitsHelpers.GreetAsync(connection);
        Assert.True(await connection.ClosedByBrokerAsync(), "an idle connection was answered");
    }

    [Fact]
    public async Task A_connection_that_stops_half_way_through_a_frame_is_closed()
    {
        Watch(_broker);
        using var connection = await _broker.ConnectAsync();
        var partial = new byte[4 + 10];
        BinaryPrimitives.WriteInt32BigEndian(partial, 100);
        await connection.SendRawAsync(partial);
        Assert.True(await connection.ClosedByBrokerAsync(), "a stalled frame was answered");
    }

    [Fact]
    public async Task A_long_poll_longer_than_the_idle_time_is_answered()
    {
        Watch(_broker);
        var topic = UniqueTopic("idle-long-poll");
        await _broker.CreateTopicAsync(topic, 1);
        using var connection = await _broker.ConnectAsync();
        var request = new FetchRequest { MaxWaitMs = 3000, MinBytes = int.MaxValue, MaxBytes = 1 << 20, SessionEpoch = -1 };
        request.Topics.Add(new FetchRequest.FetchTopic
        {
            Topic = topic, Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = 0, PartitionMaxBytes = 1 << 20 }],
        });
        // Waiting on the broker is not idleness: the answer comes after three idle periods.
        var response = await connection.RequestAsync<FetchResponse>(request, 12);
        Assert.Equal((short)ErrorCode.None, Assert.Single(Assert.Single(response.Responses).Partitions).ErrorCode);
    }
}

/// <summary>A broker taking at most five client connections, three per address.</summary>
public sealed class ConnectionLimitBroker : SharedBroker
{
    protected override Task<E2EBroker> StartAsync() => E2EBroker.StartAsync("max.connections=5", "max.connections.per.ip=3");
}

/// <summary>max.connections and max.connections.per.ip: excess connections are closed at accept, the others served.</summary>
public sealed class ConnectionLimitTests(ConnectionLimitBroker shared, ITestOutputHelper output) : EndToEndTest(output), IClassFixture<ConnectionLimitBroker>
{
    private static readonly IPAddress First = IPAddress.Parse("127.0.0.1"), Second = IPAddress.Parse("127.0.0.2"), Third = IPAddress.Parse("127.0.0.3");

    private readonly E2EBroker _broker = shared.Broker;

    [Fact]
    public async Task Connections_over_the_limits_are_refused_and_a_freed_slot_is_reused()
    {
        Watch(_broker);
        var mark = _broker.Mark();
        var open = new List<KafkaConnection>();
        try
        {
            for (var i = 0; i < 3; i++)
                open.Add(await AdmittedAsync(First));
            Assert.Null(await TryGreetAsync(First));

            for (var i = 0; i < 2; i++)
                open.Add(await AdmittedAsync(Second));
            Assert.Null(await TryGreetAsync(Third));

            // The ones admitted are still served.
            foreach (var connection in open)
                await NetworkLimitsHelpers.GreetAsync(connection);

            open[0].Dispose();
            open.RemoveAt(0);
            open.Add(await AdmittedAsync(Third));

            var logs = _broker.LogsSince(mark);
            Assert.Contains("max.connections.per.ip (3) reached for 127.0.0.1", logs);
            Assert.Contains("max.connections (5) reached", logs);
        }
        finally
        {
            foreach (var connection in open)
                connection.Dispose();
        }
    }

    /// <summary>
    /// A greeted connection from <paramref name="from"/>. Connections closed just before (by another
    /// test or the broker's start-up check) leave their slot a moment later, so a refusal is retried.
    /// </summary>
    private async Task<KafkaConnection> AdmittedAsync(IPAddress from)
    {
        var deadline = DateTime.UtcNow + KafkaConnection.Deadline;
        while (true)
        {
            if (await TryGreetAsync(from) is { } connection)
                return connection;
            Assert.True(DateTime.UtcNow < deadline, $"no connection from {from} admitted within {KafkaConnection.Deadline}");
            await Task.Delay(50);
        }
    }

    private async Task<KafkaConnection?> TryGreetAsync(IPAddress from)
    {
        var connection = await _broker.ConnectAsync(from);
        try
        {
            await NetworkLimitsHelpers.GreetAsync(connection);
            return connection;
        }
        catch (IOException)
        {
            connection.Dispose();
            return null;
        }
    }
}

/// <summary>A broker taking requests of up to 10 MiB, and 10 MiB of large requests at once.</summary>
public sealed class RequestMemoryBroker : SharedBroker
{
    public const int MaxRequestBytes = 10 * 1024 * 1024;

    protected override Task<E2EBroker> StartAsync() => E2EBroker.StartAsync(
        $"socket.request.max.bytes={MaxRequestBytes}", $"queued.max.request.bytes={MaxRequestBytes}", "connections.max.idle.ms=3000");
}

/// <summary>queued.max.request.bytes: large requests wait for memory, small ones never do.</summary>
public sealed class RequestMemoryTests(RequestMemoryBroker shared, ITestOutputHelper output) : EndToEndTest(output), IClassFixture<RequestMemoryBroker>
{
    private readonly E2EBroker _broker = shared.Broker;

    [Fact]
    public async Task A_large_request_waits_while_another_holds_the_budget_and_small_ones_are_served()
    {
        Watch(_broker);
        var topic = UniqueTopic("budget");
        await _broker.CreateTopicAsync(topic, 1);
        using var stop = new CancellationTokenSource();
        Task trickle;
        using (var holder = await _broker.ConnectAsync())
        {
            // Declares a frame of the whole budget and keeps sending it a byte at a time: active, never done.
            var start = new byte[4 + 1024];
            BinaryPrimitives.WriteInt32BigEndian(start, RequestMemoryBroker.MaxRequestBytes);
            await holder.SendRawAsync(start);
            trickle = TrickleAsync(holder, stop.Token);

            using var small = await _broker.ConnectAsync();
            await NetworkLimitsHelpers.GreetAsync(small);
            var metadata = await small.RequestAsync<MetadataResponse>(new MetadataRequest { Topics = null }, 12);
            Assert.Single(metadata.Brokers);

            // A 2 MiB produce is not read while the budget is spent: it waits, sends nothing more, and goes as idle.
            using var large = await _broker.ConnectAsync();
            await large.SendFrameAsync(LargeProduce(topic, large.NextCorrelationId()));
            Assert.True(await large.ClosedByBrokerAsync(), "a large request was read while the budget was spent");

            await stop.CancelAsync();
            await trickle;
        }

        // The holder is gone, and its memory with it: the same produce is now answered (too large for message.max.bytes).
        using var after = await _broker.ConnectAsync();
        var correlationId = after.NextCorrelationId();
        await after.SendFrameAsync(LargeProduce(topic, correlationId));
        var frame = await after.ReadFrameAsync();
        Assert.NotNull(frame);
        var response = KafkaConnection.Decode<ProduceResponse>(frame, 9, correlationId);
        Assert.Equal((short)ErrorCode.MessageTooLarge, Assert.Single(Assert.Single(response.Responses).PartitionResponses).ErrorCode);
    }

    private static async Task TrickleAsync(KafkaConnection connection, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await connection.SendRawAsync(new byte[1]);
                await Task.Delay(300, stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static byte[] LargeProduce(string topic, int correlationId) => KafkaConnection.Encode(new ProduceRequest
    {
        Acks = -1,
        TimeoutMs = 5000,
        TopicData = [new ProduceRequest.TopicProduceData
        {
            Name = topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = RawProduce.Batch([new string('x', 2 * 1024 * 1024)]) }],
        }],
    }, 9, correlationId);
}

internal static class NetworkLimitsHelpers
{
    public static async Task GreetAsync(KafkaConnection connection)
    {
        var response = await connection.RequestAsync<ApiVersionsResponse>(new ApiVersionsRequest { ClientSoftwareName = "e2e", ClientSoftwareVersion = "1" }, 3);
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
    }
}
