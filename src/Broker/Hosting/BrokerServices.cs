using Broker.Config;
using Broker.Controller;
using Broker.Metadata;
using Broker.Replication;
using Microsoft.Extensions.Logging;

namespace Broker.Hosting;

/// <summary>What request handlers share: configuration, the metadata view, the controller, the partitions and the group coordinator.</summary>
public sealed class BrokerServices(
    BrokerConfig config, string clusterId, MetadataCache metadata, QuorumController controller,
    ReplicaManager replicas, Handlers.FeatureLevels features, ILoggerFactory loggerFactory, Groups.GroupCoordinator groups)
{
    public BrokerConfig Config { get; } = config;
    public int NodeId => Config.NodeId;
    public string ClusterId { get; } = clusterId;
    public MetadataCache Metadata { get; } = metadata;
    public QuorumController Controller { get; } = controller;
    public ReplicaManager Replicas { get; } = replicas;
    public Handlers.FeatureLevels Features { get; } = features;
    private Producers.ProducerIdManager? _producerIds;

    public Producers.ProducerIdManager ProducerIds => LazyInitializer.EnsureInitialized(ref _producerIds,
        () => new Producers.ProducerIdManager(Controller, ActiveController, () => ForwardingChannel, Metadata, NodeId));
    public ILoggerFactory LoggerFactory { get; } = loggerFactory;
    public Groups.GroupCoordinator Groups { get; } = groups;

    /// <summary>Who the active controller is: metadata changes run locally or are forwarded there.</summary>
    public IActiveController ActiveController { get; init; } = new StaticActiveController(config);

    /// <summary>The connection admin requests are forwarded on when the active controller is elsewhere.</summary>
    public ControllerChannel? ForwardingChannel { get; init; }

    /// <summary>Produce and fetch counters for /metrics; null when the operations endpoint is off.</summary>
    public Operations.Metrics.BrokerMetrics? Metrics { get; init; }

    /// <summary>This node's member of the metadata quorum (voter or observer): answers the Raft RPCs and DescribeQuorum.</summary>
    public Raft.Client.RaftClient? Quorum { get; init; }
}
