using System.Runtime.CompilerServices;
using Broker.Controller;
using Broker.Raft.Client;
using Broker.Raft.Core;
using Microsoft.Extensions.Logging;

namespace Broker.Hosting;

/// <summary>
/// Follows Raft leadership on a controller node. Elected: wait until every record committed
/// before this leader's epoch is applied to the image (the first batch of the epoch, its
/// LeaderChange record, has committed), then activate the controller (metadata.version, broker
/// sessions), start its ticker and take writes. Leadership lost: stop taking writes (in-flight
/// changes fail with NOT_CONTROLLER) and stop the ticker.
/// </summary>
public sealed class ControllerActivation(
    QuorumController controller, RaftMetadataLog log, RaftClient raft, RaftActiveController active,
    Func<ControllerTicker> newTicker, ILogger logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _changed = new(0);
    private readonly CancellationTokenSource _stop = new();
    private ControllerTicker? _ticker;
    private int _activeEpoch = -1;
    private Task? _loop;
    private volatile StrongBox<LeaderAndEpoch> _latest = new(LeaderAndEpoch.None);

    private LeaderAndEpoch _leader
    {
        get => _latest.Value;
        set => _latest = new(value);
    }

    public void Start()
    {
        log.WriterEpoch = RaftMetadataLog.NotWriting;
        _leader = raft.Leader;
        // The event carries the news before the client's own Leader property is refreshed.
        log.LeaderChanged += leader =>
        {
            _leader = leader;
            _changed.Release();
        };
        _loop = Task.Run(() => RunAsync(_stop.Token));
        _changed.Release();
    }

    private bool Leads(int epoch) => _leader.Epoch == epoch && _leader.LeaderId == raft.NodeId;

    private async Task RunAsync(CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await _changed.WaitAsync(stop).ConfigureAwait(false);
                var leader = _leader;
                if (_activeEpoch >= 0 && !Leads(_activeEpoch))
                    await DeactivateAsync().ConfigureAwait(false);
                if (_activeEpoch < 0 && Leads(leader.Epoch))
                    await ActivateAsync(leader.Epoch, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        await DeactivateAsync().ConfigureAwait(false);
    }

    private async Task ActivateAsync(int epoch, CancellationToken stop)
    {
        // The leader's LeaderChange batch commits only after all earlier ones: once it is applied the image is complete.
        while (log.AppliedEpoch < epoch)
        {
            if (!Leads(epoch))
                return;
            await Task.Delay(2, stop).ConfigureAwait(false);
        }
        log.WriterEpoch = epoch;
        try
        {
            await controller.ActivateAsync(stop).ConfigureAwait(false);
        }
        catch (ControllerUnavailableException e)
        {
            log.WriterEpoch = RaftMetadataLog.NotWriting;
            logger.LogInformation("Lost leadership of epoch {Epoch} while activating: {Error}", epoch, e.Message);
            return;
        }
        _activeEpoch = epoch;
        active.SetLocal(true);
        _ticker = newTicker();
        _ticker.Start();
        logger.LogInformation("Node {NodeId} is the active controller (leader epoch {Epoch}, metadata offset {Offset})",
            raft.NodeId, epoch, log.AppliedOffset);
        // Leadership may have moved while activating: look again.
        _changed.Release();
    }

    private async Task DeactivateAsync()
    {
        if (_activeEpoch < 0)
            return;
        active.SetLocal(false);
        log.WriterEpoch = RaftMetadataLog.NotWriting;
        logger.LogInformation("Node {NodeId} is no longer the active controller (was leader of epoch {Epoch})", raft.NodeId, _activeEpoch);
        _activeEpoch = -1;
        if (_ticker is not null)
            await _ticker.DisposeAsync().ConfigureAwait(false);
        _ticker = null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
            await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
