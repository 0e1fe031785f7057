using Broker.Config;
using Broker.Storage;
using Microsoft.Extensions.Logging;

namespace Broker.Hosting;

/// <summary>
/// One running node: configuration and storage are already checked when it is built. This is the
/// seam where listeners, the Raft quorum, the log manager and the handlers start; until they land
/// it only waits for the stop signal.
/// </summary>
public sealed class BrokerNode(BrokerConfig config, NodeStorage storage, ILoggerFactory loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<BrokerNode>();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public BrokerConfig Config { get; } = config;

    public NodeStorage Storage { get; } = storage;

    public ILoggerFactory LoggerFactory { get; } = loggerFactory;

    /// <summary>Completes once the node serves requests (listeners bound); faults if start fails.</summary>
    public Task Started => _started.Task;

    /// <summary>Runs until <paramref name="stoppingToken"/> is cancelled, then stops gracefully.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        _started.TrySetResult();
        _logger.LogInformation("Node {NodeId} started", Config.NodeId);
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        _logger.LogInformation("Node {NodeId} stopped", Config.NodeId);
    }
}
