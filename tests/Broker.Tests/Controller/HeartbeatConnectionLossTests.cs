using Broker.Controller;
using Broker.Protocol.Messages;

namespace Broker.Broker.Tests.Controller;

/// <summary>
/// A broker whose heartbeat connection closes (kill -9 closes every socket at once) is fenced after a
/// short grace instead of a whole session timeout; a live broker that heartbeats again keeps its
/// session, and a flapping connection cuts a session short only once in a quiet period.
/// </summary>
public sealed class HeartbeatConnectionLossTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(500); // a quarter of the default 2 s heartbeat interval

    private static async Task<long> HeartbeatOnAsync(ControllerHarness harness, int id, long connectionId, CancellationToken closed, bool wantShutDown = false)
    {
        await harness.Controller.Brokers.HeartbeatAsync(new BrokerHeartbeatRequest
        {
            BrokerId = id, BrokerEpoch = harness.Broker(id).Epoch, CurrentMetadataOffset = harness.Image.Offset, WantShutDown = wantShutDown,
        }, CancellationToken.None, new HeartbeatConnection(connectionId, closed));
        return connectionId;
    }

    private static async Task<(ControllerHarness Harness, CancellationTokenSource Connection)> ClusterWithLeaderOnAConnectionAsync()
    {
        var harness = await ControllerHarness.StartAsync();
        await harness.StartBrokersAsync(1, 2, 3);
        await harness.CreateTopicAsync("t", new[] { 2, 1, 3 });
        var connection = new CancellationTokenSource();
        await HeartbeatOnAsync(harness, 2, 7, connection.Token);
        return (harness, connection);
    }

    [Fact]
    public async Task A_broker_whose_heartbeat_connection_closed_is_fenced_after_the_grace_and_its_leadership_moves_within_the_isr()
    {
        var (harness, connection) = await ClusterWithLeaderOnAConnectionAsync();
        Assert.Equal(Grace, harness.Controller.Brokers.Sessions.ConnectionLossGrace);

        await connection.CancelAsync();
        harness.Clock.Advance(Grace / 2);
        Assert.Empty(await harness.Controller.Brokers.FenceExpiredAsync(CancellationToken.None));
        harness.Clock.Advance(Grace / 2 + TimeSpan.FromMilliseconds(1));
        // Brokers 1 and 3 heartbeat without a watched connection: only the session timeout applies to them.
        Assert.Equal([2], await harness.Controller.Brokers.FenceExpiredAsync(CancellationToken.None));
        var moved = harness.Partition("t", 0);
        Assert.True(harness.Broker(2).Fenced);
        Assert.Equal(1, moved.Leader);
        Assert.Equal([1, 3], moved.Isr);
    }

    [Fact]
    public async Task A_live_broker_that_heartbeats_again_on_a_new_connection_keeps_its_session_and_is_not_cut_short_again_soon()
    {
        var (harness, connection) = await ClusterWithLeaderOnAConnectionAsync();
        await connection.CancelAsync();
        harness.Clock.Advance(Grace / 2);
        using var second = new CancellationTokenSource();
        await HeartbeatOnAsync(harness, 2, 8, second.Token);
        await harness.HeartbeatAsync(1);
        await harness.HeartbeatAsync(3);
        harness.Clock.Advance(Grace);
        Assert.Empty(await harness.Controller.Brokers.FenceExpiredAsync(CancellationToken.None));

        // The new connection closes too, within the quiet period: the full session timeout applies this time.
        await second.CancelAsync();
        // Heartbeated one grace ago: the session ends one session timeout after that heartbeat.
        harness.Clock.Advance(ControllerHarness.SessionTimeout - Grace - TimeSpan.FromMilliseconds(100));
        Assert.Empty(await harness.Controller.Brokers.FenceExpiredAsync(CancellationToken.None));
        Assert.False(harness.Broker(2).Fenced);
        await harness.HeartbeatAsync(1);
        await harness.HeartbeatAsync(3);
        harness.Clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal([2], await harness.Controller.Brokers.FenceExpiredAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_broker_in_controlled_shutdown_is_left_to_its_shutdown_when_its_connection_closes()
    {
        var (harness, _) = await ClusterWithLeaderOnAConnectionAsync();
        using var shuttingDown = new CancellationTokenSource();
        await HeartbeatOnAsync(harness, 2, 9, shuttingDown.Token, wantShutDown: true);
        await shuttingDown.CancelAsync();
        harness.Clock.Advance(Grace * 2);
        Assert.False(harness.Controller.Brokers.Sessions.EndsByConnectionLoss(2));
        Assert.Empty(await harness.Controller.Brokers.FenceExpiredAsync(CancellationToken.None));
    }
}
