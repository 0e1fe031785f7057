using Broker.Config;
using Broker.Controller;
using Broker.Groups;
using Broker.Handlers;
using Broker.Log;
using Broker.Metadata;
using Broker.Network;
using Broker.Operations;
using Broker.Raft.Client;
using Broker.Raft.Storage;
using Broker.Protocol.Wire;
using Broker.Replication;
using Broker.Storage;
using Microsoft.Extensions.Logging;

namespace Broker.Hosting;

/// <summary>
/// One running node: configuration and storage are already checked when it is built. Start order:
/// metadata log replay, partition logs, broker registration, then listeners, so that the first
/// client request already sees every topic that existed before the restart.
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

    /// <summary>The bound socket server, once started (tests read bound ports from it).</summary>
    public SocketServer? Server { get; private set; }

    /// <summary>Runs until <paramref name="stoppingToken"/> is cancelled, then stops gracefully.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            var cache = new MetadataCache(Storage.ClusterId);
            var metadataLog = new RaftMetadataLog(keepCommitted: false);
            // Every node, voter or observer, builds its image from the batches the quorum commits.
            metadataLog.Committed += batch => cache.Apply(batch.Records, batch.LastOffset);
            metadataLog.SnapshotLoaded += (id, records) =>
            {
                cache.Replace(records, id.EndOffset - 1);
                _logger.LogInformation("Loaded metadata snapshot {Snapshot} ({Records} records)", id, records.Count);
            };
            var voterIds = Config.QuorumVoters.Select(v => v.NodeId).ToArray();
            await using var transport = new QuorumTransport(Config, LoggerFactory.CreateLogger<QuorumTransport>());
            using var store = new RaftLogStore(Storage.MetadataDirectory.Path, voterIds);
            await using var raft = new RaftClient(QuorumSettings.RaftConfig(Config), Storage.ClusterId, store, transport, metadataLog);
            metadataLog.Attach(raft);
            var readiness = new NodeReadiness(Config, cache, raft, metadataLog);
            // Early and alongside the rest of the start, so liveness answers while the node catches up.
            // Counters only when something can read them: with the endpoint off, the request path skips them.
            var metrics = OperationsAddress.From(Config) is null ? null : new Operations.Metrics.BrokerMetrics();
            await using var operations = OperationsEndpoint.Start(Config, cache, readiness, metrics, LoggerFactory, stoppingToken);
            var controller = new QuorumController(metadataLog, cache, Config, LoggerFactory.CreateLogger<QuorumController>());
            var segmentFiles = SegmentFiles();
            var logs = LogManager.Open(Config.LogDirs, topic => LogConfigs.From(TopicConfigDefinitions.Resolve(
                Config, new Dictionary<string, string>(cache.Current.ConfigsOf(ConfigResourceType.Topic, topic), StringComparer.Ordinal))),
                new LogContext { Files = segmentFiles });
            BrokerLifecycleManager? lifecycleOf = null;
            long BrokerEpoch() => lifecycleOf?.BrokerEpoch ?? -1;
            SocketServer? bound = null;
            var active = new RaftActiveController(Config, () => raft.Leader, () => LocalControllerAddress(bound));
            var requestTimeout = TimeSpan.FromMilliseconds(Config.GetInt("controller.quorum.request.timeout.ms"));
            // ISR changes get their own connection to the controller, so heartbeats never queue behind them.
            var alterIsrConnection = new ControllerChannel(active, $"node-{Config.NodeId}-alter-partition", requestTimeout, LoggerFactory.CreateLogger<ControllerChannel>());
            var alterIsr = new ControllerAlterIsrChannel(alterIsrConnection, Config.NodeId, BrokerEpoch,
                TimeSpan.FromMilliseconds(Config.GetInt("controller.quorum.retry.backoff.ms") * 5), LoggerFactory.CreateLogger<ControllerAlterIsrChannel>());
            var replicaContext = new ReplicaContext(Config.NodeId, Config.GetLong("replica.lag.time.max.ms"), alterIsr, BrokerEpoch,
                (broker, epoch) => IsIsrEligible(cache.Current, broker, epoch), LoggerFactory.CreateLogger<Partition>());
            using var replicas = new ReplicaManager(Config, logs, LoggerFactory.CreateLogger<ReplicaManager>(), replicaContext);
            var fetchers = new ReplicaFetcherManager(Config, cache, BrokerEpoch, LoggerFactory);
            replicas.AttachFetchers(fetchers);
            using var maintenance = new LogMaintenance(logs, Config, LoggerFactory.CreateLogger<LogMaintenance>());
            using var cleaner = LogCleanerService.Start(logs, Config, LoggerFactory.CreateLogger("Broker.Log.LogCleaner"));

            var groupLog = new ReplicaGroupLog(replicas, LoggerFactory.CreateLogger<ReplicaGroupLog>());
            var groups = new GroupCoordinator(groupLog, GroupConfig.From(Config), GroupCoordinator.SystemClock, LoggerFactory.CreateLogger<GroupCoordinator>());
            await using var groupTicker = new GroupTicker(groups, LoggerFactory.CreateLogger<GroupTicker>());

            var features = new FeatureLevels();
            FollowFinalizedFeatures(cache, features);
            await using var forwarding = new ControllerChannel(active, $"node-{Config.NodeId}-forwarding", requestTimeout, LoggerFactory.CreateLogger<ControllerChannel>());
            var services = new BrokerServices(Config, Storage.ClusterId, cache, controller, replicas, features, LoggerFactory, groups)
            {
                ActiveController = active,
                ForwardingChannel = forwarding,
                Quorum = raft,
                Metrics = metrics,
            };
            if (metrics is not null)
            {
                _ = new Operations.Metrics.StateGauges(metrics, Config, cache, replicas, groups, raft, metadataLog);
                operations.Attach(new Operations.Cluster.ClusterView(Config, cache, replicas, groups, raft, metrics));
                cache.Subscribe((previous, current) =>
                {
                    foreach (var gone in previous.TopicsByName.Keys.Where(t => !current.TopicsByName.ContainsKey(t)))
                        metrics.Forget(gone);
                });
            }
            RequestDispatcher? brokerDispatcher = null, controllerDispatcher = null;
            brokerDispatcher = new RequestDispatcher(HandlerCatalog.Create(services, () => brokerDispatcher!), LoggerFactory.CreateLogger<RequestDispatcher>())
            {
                Metrics = metrics,
            };
            controllerDispatcher = new RequestDispatcher(HandlerCatalog.CreateForControllerListener(services, () => controllerDispatcher!), LoggerFactory.CreateLogger<RequestDispatcher>());
            await using var server = new SocketServer(
                listener => Config.ControllerListenerNames.Contains(listener) ? controllerDispatcher : brokerDispatcher,
                NetworkLimits.From(Config), LoggerFactory.CreateLogger<SocketServer>());
            // The quorum first: voters must reach each other before any metadata exists to serve.
            server.Start(Config.Listeners.Where(l => Config.ControllerListenerNames.Contains(l.ListenerName)));
            Server = bound = server;
            raft.Start();

            var tickerPeriod = TimeSpan.FromMilliseconds(Math.Max(10, Config.GetInt("broker.heartbeat.interval.ms") / 4));
            await using var activation = new ControllerActivation(controller, metadataLog, raft, active,
                () => new ControllerTicker(controller.Brokers, tickerPeriod, LoggerFactory.CreateLogger<ControllerTicker>()),
                LoggerFactory.CreateLogger<ControllerActivation>());
            if (Config.IsController)
                activation.Start();
            await using var snapshots = new MetadataSnapshotter(Config, cache, raft, LoggerFactory.CreateLogger<MetadataSnapshotter>());
            metadataLog.Committed += snapshots.OnCommitted;

            await WaitForMetadataAsync(raft, metadataLog, transport, operations.Failed, stoppingToken).ConfigureAwait(false);
            // Partitions and groups follow the image from here on; logs of topics gone while this node was down go.
            alterIsr.Start();
            cache.Subscribe(replicas.OnMetadataChanged);
            var isrShrinks = new IsrShrinkTicker(replicas, TimeSpan.FromMilliseconds(Math.Max(10, Config.GetLong("replica.lag.time.max.ms") / 2)),
                LoggerFactory.CreateLogger<IsrShrinkTicker>());
            cache.Subscribe((previous, current) => groups.OnMetadataChanged(previous, current, Config.NodeId));
            server.Start(Config.Listeners.Where(l => !Config.ControllerListenerNames.Contains(l.ListenerName)));
            readiness.ListenersAccepting = true;

            await using var lifecycleChannel = new ControllerChannel(active, $"node-{Config.NodeId}-lifecycle", requestTimeout, LoggerFactory.CreateLogger<ControllerChannel>());
            var logDirIds = Storage.LogDirectories(Config).ToDictionary(d => Path.TrimEndingDirectorySeparator(d.Path), d => Uuid.Parse(d.DirectoryId), StringComparer.Ordinal);
            await using var lifecycle = new BrokerLifecycleManager(Config, Storage.ClusterId, cache, lifecycleChannel, LoggerFactory.CreateLogger<BrokerLifecycleManager>())
            {
                LogDirs = [.. logDirIds.Values],
                OfflineLogDirs = () => [.. replicas.OfflineDirs.Directories.Select(d => logDirIds.GetValueOrDefault(d)).Where(id => !id.IsZero)],
            };
            replicas.OfflineDirs.DirectoryFailed += _ => lifecycle.LogDirFailed();
            lifecycleOf = lifecycle;
            readiness.Attach(lifecycle);
            var controllerRegistration = Config.IsController
                ? ControllerRegistrar.RegisterAsync(Config, LocalControllerAddress(server), lifecycleChannel, _logger, stoppingToken)
                : Task.CompletedTask;
            try
            {
                if (Config.IsBroker)
                {
                    var listeners = server.BoundEndpoints;
                    var endpoints = Config.AdvertisedBrokerListeners.Select(l => new BrokerEndpoint(
                        l.ListenerName, AdvertisedHost(l), l.Port == 0 && listeners.TryGetValue(l.ListenerName, out var b) ? b.Port : l.Port,
                        SecurityProtocolCode(l.ListenerName))).ToArray();
                    lifecycle.Start(endpoints);
                    // Started means serving as an unfenced broker, as clients only see unfenced brokers.
                    // (or the operations endpoint failed to start, which fails the start now rather than after registering)
                    await (await Task.WhenAny(lifecycle.Unfenced, operations.Failed).WaitAsync(stoppingToken).ConfigureAwait(false)).ConfigureAwait(false);
                    // ...and in this node's own image too, so its Metadata answers list it from now on.
                    while (cache.Current.Brokers.GetValueOrDefault(Config.NodeId) is not { Fenced: false })
                        await Task.Delay(2, stoppingToken).ConfigureAwait(false);
                    // Unfenced means this node's metadata reached its own registration: whatever the image
                    // does not assign here now was removed before, not merely not yet learned.
                    replicas.RenameStrayLogs(cache.Current);
                }
                // A port in use fails the start, as a Kafka listener's does.
                await operations.Started.ConfigureAwait(false);
                _started.TrySetResult();
                _logger.LogInformation("Node {NodeId} started", Config.NodeId);
                await Task.WhenAny(Task.Delay(Timeout.Infinite, stoppingToken), raft.Completion).ConfigureAwait(false);
                if (raft.Completion.IsFaulted)
                    throw new InvalidOperationException("The metadata quorum member stopped on an error", raft.Completion.Exception!.InnerException);
                stoppingToken.ThrowIfCancellationRequested();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Stopped, possibly before the controller unfenced this broker: still a graceful stop.
                _started.TrySetCanceled(stoppingToken);
            }
            // Not ready from here on: a load balancer stops sending clients before leadership moves away.
            readiness.ListenersAccepting = false;
            if (Config.IsBroker)
                await ControlledShutdown.RunAsync(lifecycle, replicas, TimeSpan.FromMilliseconds(Config.GetLong("controlled.shutdown.timeout.ms")),
                    _logger).ConfigureAwait(false);
            await isrShrinks.DisposeAsync().ConfigureAwait(false);
            await fetchers.DisposeAsync().ConfigureAwait(false);
            await alterIsr.DisposeAsync().ConfigureAwait(false);
            await alterIsrConnection.DisposeAsync().ConfigureAwait(false);
            await controllerRegistration.ConfigureAwait(false);
            await server.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            await maintenance.StopAsync().ConfigureAwait(false);
            await groupTicker.DisposeAsync().ConfigureAwait(false);
            // Flushes every log, writes checkpoints and the clean-shutdown marker: the next start skips recovery.
            logs.Close(cache.Current.Brokers.GetValueOrDefault(Config.NodeId)?.Epoch ?? -1);
        }
        catch (Exception e)
        {
            _started.TrySetException(e);
            throw;
        }
        _logger.LogInformation("Node {NodeId} stopped", Config.NodeId);
    }

    /// <summary>
    /// Waits until this node has applied the committed metadata log as far as the current leader
    /// reports it (the leader's own first batch included), so that the partitions it opens and the
    /// clients it serves see every topic that exists.
    /// </summary>
    private async Task WaitForMetadataAsync(RaftClient raft, RaftMetadataLog log, QuorumTransport transport, Task startFailed, CancellationToken stop)
    {
        var waitingSince = DateTime.UtcNow;
        var reported = false;
        while (true)
        {
            var leader = raft.Leader;
            if (leader.LeaderId >= 0 && log.AppliedEpoch >= leader.Epoch && log.AppliedOffset + 1 >= raft.HighWatermark)
                break;
            if (raft.Completion.IsFaulted)
                throw new InvalidOperationException("The metadata quorum member stopped on an error", raft.Completion.Exception!.InnerException);
            if (startFailed.IsFaulted)
                await startFailed.ConfigureAwait(false);
            if (transport.ClusterIdRefusedBy is { } refusing)
                // Retrying cannot help: this node's storage belongs to another cluster than the quorum's.
                throw new BrokerRegistrationRefusedException(
                    $"Controller {refusing} refused node {Config.NodeId}: its cluster id is not {Storage.ClusterId} (INCONSISTENT_CLUSTER_ID). " +
                    "This node's storage was formatted for another cluster; check controller.quorum.voters and the cluster id used to format.");
            if (!reported && DateTime.UtcNow - waitingSince > TimeSpan.FromSeconds(5))
            {
                _logger.LogInformation("Waiting for the metadata quorum (voters {Voters}) to elect a leader and for this node to catch up",
                    string.Join(",", Config.QuorumVoters));
                reported = true;
            }
            await Task.Delay(5, stop).ConfigureAwait(false);
        }
        _logger.LogInformation("Caught up with the metadata log at offset {Offset} (leader {Leader}, epoch {Epoch})",
            log.AppliedOffset, raft.Leader.LeaderId, raft.Leader.Epoch);
    }

    /// <summary>
    /// KIP-841/903: a follower may join an ISR while it is registered, unfenced, not shutting down and fetching with the
    /// broker epoch of its current registration (a fetch without an epoch, before Fetch v15, is taken as current).
    /// </summary>
    /// <summary>The bound on open segment files: <c>log.open.files.max</c>, or derived from RLIMIT_NOFILE.</summary>
    private SegmentFilePool SegmentFiles()
    {
        var configured = Config.GetInt("log.open.files.max");
        var limit = OpenFileLimit.Current();
        var pool = new SegmentFilePool(configured > 0 ? configured : SegmentFilePool.DeriveCapacity(limit));
        _logger.LogInformation("Keeping at most {Capacity} segment files open (open-file limit {Limit})", pool.Capacity, limit);
        return pool;
    }

    private static bool IsIsrEligible(MetadataImage image, int broker, long brokerEpoch) =>
        image.Brokers.TryGetValue(broker, out var b) && !b.Fenced && !b.InControlledShutdown && b.OfflineLogDirs.Count == 0 && (brokerEpoch < 0 || brokerEpoch == b.Epoch);

    /// <summary>ApiVersions and registration checks read the finalized feature levels from the metadata image.</summary>
    private static void FollowFinalizedFeatures(MetadataCache cache, FeatureLevels features) =>
        cache.Subscribe((previous, current) =>
        {
            if (!current.Features.IsEmpty && !ReferenceEquals(previous.Features, current.Features))
                features.Set(current.Features, current.Offset);
        });

    /// <summary>This node's own controller listener as the bound socket says (port 0 in the config picks one).</summary>
    private ControllerAddress? LocalControllerAddress(SocketServer? server)
    {
        var listener = Config.Listeners.FirstOrDefault(l => Config.ControllerListenerNames.Contains(l.ListenerName));
        if (listener is null || server is null || !server.BoundEndpoints.TryGetValue(listener.ListenerName, out var bound))
            return null;
        return new ControllerAddress(Config.NodeId, listener.BindsAllInterfaces ? "localhost" : listener.Host, bound.Port);
    }

    /// <summary>A listener bound to every interface advertises this host's name, as Kafka does.</summary>
    private static string AdvertisedHost(ListenerEndpoint listener) =>
        listener.BindsAllInterfaces ? System.Net.Dns.GetHostName() : listener.Host;

    private short SecurityProtocolCode(string listenerName) =>
        Config.ListenerSecurityProtocols.TryGetValue(listenerName, out var protocol) && protocol != "PLAINTEXT" ? (short)-1 : (short)0;
}
