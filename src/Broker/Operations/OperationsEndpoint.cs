using Broker.Config;
using Broker.Metadata;
using Microsoft.Extensions.Logging;

namespace Broker.Operations;

/// <summary>
/// Starts the operations endpoint as <c>metrics.http.listener</c> says (nothing when it is empty) on
/// another thread: the web host's start-up work then overlaps the broker's own instead of adding
/// to it. The node awaits <see cref="Started"/> before it reports itself started, so a port in use
/// still fails the start.
/// </summary>
public sealed class OperationsEndpoint : IAsyncDisposable
{
    private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly OperationsRoutes _routes;

    private OperationsEndpoint(OperationsRoutes routes, Task<OperationsServer?> started)
    {
        _routes = routes;
        Started = started;
        started.ContinueWith(t => _failed.TrySetException(t.Exception!.InnerExceptions), CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The running server, null when the endpoint is off; faults with <see cref="OperationsBindException"/>.</summary>
    public Task<OperationsServer?> Started { get; }

    /// <summary>Faults when the start fails and never completes otherwise: the node's long start-up waits watch it.</summary>
    public Task Failed => _failed.Task;

    /// <summary>Serves /api/cluster and the page once the node has its partitions and groups.</summary>
    public void Attach(Cluster.ClusterView cluster) => _routes.Cluster = cluster;

    public static OperationsEndpoint Start(BrokerConfig config, MetadataCache metadata, NodeReadiness readiness,
        Metrics.BrokerMetrics? metrics, ILoggerFactory loggerFactory, CancellationToken cancel)
    {
        var routes = new OperationsRoutes(config, metadata, readiness, metrics);
        return new(routes, Task.Run(() => StartAsync(config, routes, loggerFactory, cancel), cancel));
    }

    private static async Task<OperationsServer?> StartAsync(BrokerConfig config, OperationsRoutes routes, ILoggerFactory loggerFactory, CancellationToken cancel)
    {
        var logger = loggerFactory.CreateLogger<OperationsEndpoint>();
        if (OperationsAddress.From(config) is not { } address)
        {
            logger.LogInformation("Operations HTTP endpoint off ({Key} is empty)", OperationsAddress.ConfigKey);
            return null;
        }
        var server = await OperationsServer.StartAsync(address, routes.HandleAsync, loggerFactory, cancel).ConfigureAwait(false);
        logger.LogInformation("Operations HTTP endpoint listening on {Address} (/ cluster page, /healthz, /ready, /ready?safe-to-roll, /metrics)", server);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        OperationsServer? server;
        try
        {
            server = await Started.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationsBindException or OperationCanceledException)
        {
            return; // never started; the failure was reported where the node awaited it
        }
        if (server is not null)
            await server.DisposeAsync().ConfigureAwait(false);
    }
}
