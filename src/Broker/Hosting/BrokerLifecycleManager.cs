using Broker.Config;
using Broker.Controller;
using Broker.Handlers;
using Broker.Metadata;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Broker.Hosting;

/// <summary>The controller refused this broker for good (not a transient failure worth retrying).</summary>
public sealed class BrokerRegistrationRefusedException(string message) : Exception(message);

/// <summary>A heartbeat answer: fenced or not, and <see cref="Environment.TickCount64"/> when it came.</summary>
public sealed record HeartbeatAnswer(bool Fenced, bool CaughtUp, long AtTickMs);

/// <summary>
/// This broker's life as the controller sees it, driven over the network as Kafka's brokers do
/// (in a combined node the controller is this process, reached on its own controller listener):
/// register with a new incarnation id, heartbeat every <c>broker.heartbeat.interval.ms</c> with the
/// metadata offset applied so far, become unfenced once caught up, and at shutdown ask to shut
/// down so the controller moves leadership away first.
/// </summary>
public sealed class BrokerLifecycleManager : IAsyncDisposable
{
    private readonly BrokerConfig _config;
    private readonly string _clusterId;
    private readonly MetadataCache _metadata;
    private readonly ControllerChannel _channel;
    private readonly ILogger _logger;
    private readonly Uuid _incarnationId = Uuid.Random();
    private readonly TaskCompletionSource _unfenced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _interval;
    private readonly TimeSpan _retryBackoff = TimeSpan.FromMilliseconds(100);
    private IReadOnlyList<BrokerEndpoint> _endpoints = [];
    private Task? _loop;
    private long _epoch = -1;
    private volatile bool _wantShutDown;
    private bool _waitingReported;
    private readonly TaskCompletionSource _shutDownAllowed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public BrokerLifecycleManager(BrokerConfig config, string clusterId, MetadataCache metadata, ControllerChannel channel, ILogger logger)
    {
        _config = config;
        _clusterId = clusterId;
        _metadata = metadata;
        _channel = channel;
        _logger = logger;
        _interval = TimeSpan.FromMilliseconds(config.GetInt("broker.heartbeat.interval.ms"));
    }

    /// <summary>The ids of this broker's log directories, sent with its registration (KIP-858).</summary>
    public IReadOnlyList<Uuid> LogDirs { get; init; } = [];

    /// <summary>The ids of log directories that failed, sent with every heartbeat.</summary>
    public Func<IReadOnlyList<Uuid>> OfflineLogDirs { get; init; } = static () => [];

    /// <summary>A log directory failed: heartbeat now so the controller moves its partitions without waiting an interval.</summary>
    public void LogDirFailed() => _wakeUp.TrySetResult();

    /// <summary>Completes when the controller first unfences this broker.</summary>
    public Task Unfenced => _unfenced.Task;

    /// <summary>The epoch the controller gave this incarnation; -1 until registered.</summary>
    public long BrokerEpoch => Interlocked.Read(ref _epoch);

    private volatile HeartbeatAnswer? _lastAnswer;

    /// <summary>What the controller said to the last heartbeat it answered, and when (null before the first answer).</summary>
    public HeartbeatAnswer? LastAnswer => _lastAnswer;

    public void Start(IReadOnlyList<BrokerEndpoint> endpoints)
    {
        _endpoints = endpoints;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>
    /// Controlled shutdown: heartbeats say wantShutDown until the controller agrees or <paramref name="grace"/> runs out.
    /// Returns whether the controller confirmed it (null: never unfenced, so nothing to hand over).
    /// </summary>
    public async Task<bool?> ShutDownAsync(TimeSpan grace)
    {
        bool? confirmed = null;
        if (_loop is null)
            return confirmed;
        // A broker that was never unfenced leads nothing: there is nothing to hand over.
        if (_unfenced.Task.IsCompletedSuccessfully)
        {
            _wantShutDown = true;
            _wakeUp.TrySetResult();
            confirmed = await Task.WhenAny(_shutDownAllowed.Task, Task.Delay(grace)).ConfigureAwait(false) == _shutDownAllowed.Task;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        return confirmed;
    }

    private TaskCompletionSource _wakeUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RunAsync(CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (BrokerEpoch < 0)
                    await RegisterAsync(stop).ConfigureAwait(false);
                var fenced = await HeartbeatAsync(stop).ConfigureAwait(false);
                failures = 0;
                // While fenced (catching up) or shutting down, ask again soon rather than a full interval later.
                await WaitAsync(fenced || _wantShutDown ? _retryBackoff : _interval, stop).ConfigureAwait(false);
            }
            catch (ControllerUnavailableException e)
            {
                // One warning per outage, then quiet retries backing off up to the heartbeat interval.
                _logger.Log(failures++ == 0 ? LogLevel.Warning : LogLevel.Debug,
                    "Broker {Broker} cannot reach the controller: {Error}", _config.NodeId, e.Message);
                var backoff = _retryBackoff * Math.Pow(2, Math.Min(failures - 1, 10));
                await WaitAsync(backoff < _interval ? backoff : _interval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task WaitAsync(TimeSpan delay, CancellationToken stop)
    {
        var wakeUp = _wakeUp.Task;
        try
        {
            await Task.WhenAny(wakeUp, Task.Delay(delay, stop)).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        if (wakeUp.IsCompleted)
            _wakeUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private async Task RegisterAsync(CancellationToken stop)
    {
        var request = new BrokerRegistrationRequest
        {
            BrokerId = _config.NodeId,
            ClusterId = _clusterId,
            IncarnationId = _incarnationId,
            Rack = _config.BrokerRack,
            LogDirs = [.. LogDirs],
        };
        foreach (var e in _endpoints)
            request.Listeners.Add(new BrokerRegistrationRequest.Listener { Name = e.ListenerName, Host = e.Host, Port = (ushort)e.Port, SecurityProtocol = e.SecurityProtocol });
        foreach (var f in new FeatureLevels().Supported)
            request.Features.Add(new BrokerRegistrationRequest.Feature { Name = f.Name, MinSupportedVersion = f.Min, MaxSupportedVersion = f.Max });
        var response = await _channel.SendAsync<BrokerRegistrationResponse>(request, stop).ConfigureAwait(false);
        if ((ErrorCode)response.ErrorCode == ErrorCode.InconsistentClusterId)
        {
            // Retrying cannot help: this node's storage belongs to another cluster than the controller's.
            _unfenced.TrySetException(new BrokerRegistrationRefusedException(
                $"The controller refused broker {_config.NodeId}: its cluster id is not {_clusterId} (INCONSISTENT_CLUSTER_ID). " +
                "This node's storage was formatted for another cluster; check controller.quorum.voters and the cluster id used to format."));
            await _stop.CancelAsync().ConfigureAwait(false);
            stop.ThrowIfCancellationRequested();
        }
        if (response.ErrorCode != 0)
        {
            _logger.LogWarning("Broker {Broker} registration refused: {Error}; retrying", _config.NodeId, (ErrorCode)response.ErrorCode);
            throw new ControllerUnavailableException($"registration refused with {(ErrorCode)response.ErrorCode}");
        }
        Interlocked.Exchange(ref _epoch, response.BrokerEpoch);
        _logger.LogInformation("Broker {Broker} registered with epoch {Epoch}", _config.NodeId, response.BrokerEpoch);
    }

    /// <summary>One heartbeat; returns whether the broker is still fenced.</summary>
    private async Task<bool> HeartbeatAsync(CancellationToken stop)
    {
        var response = await _channel.SendAsync<BrokerHeartbeatResponse>(new BrokerHeartbeatRequest
        {
            BrokerId = _config.NodeId,
            BrokerEpoch = BrokerEpoch,
            CurrentMetadataOffset = _metadata.Current.Offset,
            WantShutDown = _wantShutDown,
            OfflineLogDirs = [.. OfflineLogDirs()],
        }, stop).ConfigureAwait(false);
        switch ((ErrorCode)response.ErrorCode)
        {
            case ErrorCode.None:
                break;
            case ErrorCode.StaleBrokerEpoch or ErrorCode.BrokerIdNotRegistered:
                _logger.LogWarning("Broker {Broker}: the controller no longer knows epoch {Epoch} ({Error}); registering again",
                    _config.NodeId, BrokerEpoch, (ErrorCode)response.ErrorCode);
                Interlocked.Exchange(ref _epoch, -1);
                _lastAnswer = null;
                return true;
            default:
                throw new ControllerUnavailableException($"heartbeat answered {(ErrorCode)response.ErrorCode}");
        }
        _lastAnswer = new HeartbeatAnswer(response.IsFenced, response.IsCaughtUp, Environment.TickCount64);
        if (!response.IsFenced && _unfenced.TrySetResult())
            _logger.LogInformation("Broker {Broker} is unfenced", _config.NodeId);
        else if (response.IsFenced && !response.IsCaughtUp && !_waitingReported)
        {
            _waitingReported = true;
            _logger.LogInformation("Broker {Broker} stays fenced until its metadata reaches offset {Epoch} (now at {Offset})",
                _config.NodeId, BrokerEpoch, _metadata.Current.Offset);
        }
        if (response.ShouldShutDown)
            _shutDownAllowed.TrySetResult();
        return response.IsFenced;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
            await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
