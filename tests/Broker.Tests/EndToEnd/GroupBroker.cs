using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>
/// One broker for a class of group tests, with no initial rebalance delay so joins answer at once,
/// __consumer_offsets already created, and the topic "orders" (2 partitions) the raw-wire tests commit to.
/// </summary>
public sealed class GroupBroker : SharedBroker
{
    protected override async Task<E2EBroker> StartAsync()
    {
        var broker = await E2EBroker.StartAsync("group.initial.rebalance.delay.ms=0");
        // As a client does first: FindCoordinator creates __consumer_offsets.
        using var connection = await broker.ConnectAsync();
        var found = await connection.RequestAsync<FindCoordinatorResponse>(new FindCoordinatorRequest { Key = "any", KeyType = 0 }, 3);
        Assert.Equal((short)ErrorCode.None, found.ErrorCode);
        await broker.CreateTopicAsync("orders", 2);
        return broker;
    }
}
