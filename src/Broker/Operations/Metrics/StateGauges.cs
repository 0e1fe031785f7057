using Broker.Config;
using Broker.Controller;
using Broker.Groups;
using Broker.Metadata;
using Broker.Raft.Client;
using Broker.Replication;
using Prometheus;

namespace Broker.Operations.Metrics;

/// <summary>
/// Gauges read from the node's state when Prometheus scrapes (nothing on the request path):
/// replica manager and controller counts from the metadata image, log sizes of the local
/// partitions, consumer group lag of the groups coordinated here, and the metadata quorum's state.
/// Names follow the JMX exporter's renderings of Kafka's MBeans; consumer lag follows kafka-exporter's.
/// </summary>
public sealed class StateGauges
{
    private readonly BrokerConfig _config;
    private readonly MetadataCache _metadata;
    private readonly ReplicaManager _replicas;
    private readonly GroupCoordinator _groups;
    private readonly RaftClient _raft;
    private readonly RaftMetadataLog _metadataLog;
    private readonly Gauge _partitionCount, _leaderCount, _underReplicated, _underMinIsr;
    private readonly Gauge _activeController, _offlinePartitions, _globalPartitions, _globalTopics;
    private readonly Gauge _currentLeader, _currentEpoch, _highWatermark, _appliedOffset;
    private readonly GaugeFamily _logSize, _logEndOffset, _logStartOffset, _groupLag, _groupOffset, _groupMembers;
    private readonly Lock _gate = new();

    public StateGauges(BrokerMetrics metrics, BrokerConfig config, MetadataCache metadata, ReplicaManager replicas, GroupCoordinator groups,
        RaftClient raft, RaftMetadataLog metadataLog)
    {
        (_config, _metadata, _replicas, _groups, _raft, _metadataLog) = (config, metadata, replicas, groups, raft, metadataLog);
        var f = metrics.Factory;
        _partitionCount = f.CreateGauge("kafka_server_replicamanager_partitioncount", "Partition replicas hosted on this broker.");
        _leaderCount = f.CreateGauge("kafka_server_replicamanager_leadercount", "Partitions this broker leads.");
        _underReplicated = f.CreateGauge("kafka_server_replicamanager_underreplicatedpartitions", "Partitions led here whose ISR is smaller than their replica set.");
        _underMinIsr = f.CreateGauge("kafka_server_replicamanager_underminisrpartitioncount", "Partitions led here whose ISR is below min.insync.replicas.");
        _activeController = f.CreateGauge("kafka_controller_kafkacontroller_activecontrollercount", "1 on the active controller, else 0.");
        _offlinePartitions = f.CreateGauge("kafka_controller_kafkacontroller_offlinepartitionscount", "Partitions without a leader (reported by the active controller).");
        _globalPartitions = f.CreateGauge("kafka_controller_kafkacontroller_globalpartitioncount", "Partitions in the cluster (reported by the active controller).");
        _globalTopics = f.CreateGauge("kafka_controller_kafkacontroller_globaltopiccount", "Topics in the cluster (reported by the active controller).");
        _currentLeader = f.CreateGauge("kafka_server_raftmetrics_current_leader", "Node id of the metadata quorum leader; -1 when none is known.");
        _currentEpoch = f.CreateGauge("kafka_server_raftmetrics_current_epoch", "Epoch of the metadata quorum.");
        _highWatermark = f.CreateGauge("kafka_server_raftmetrics_high_watermark", "High watermark of the metadata log as this node knows it.");
        _appliedOffset = f.CreateGauge("kafka_server_brokermetadatametrics_last_applied_record_offset", "Last metadata log offset applied to this node's image.");
        _logSize = new(f.CreateGauge("kafka_log_log_size", "Bytes of the local log of a partition.", "topic", "partition"));
        _logEndOffset = new(f.CreateGauge("kafka_log_log_logendoffset", "Log end offset of the local log of a partition.", "topic", "partition"));
        _logStartOffset = new(f.CreateGauge("kafka_log_log_logstartoffset", "Log start offset of the local log of a partition.", "topic", "partition"));
        _groupLag = new(f.CreateGauge("kafka_consumergroup_lag", "High watermark minus committed offset, per group and partition (groups coordinated here, partitions hosted here).",
            "consumergroup", "topic", "partition"));
        _groupOffset = new(f.CreateGauge("kafka_consumergroup_current_offset", "Committed offset per group and partition (groups coordinated here).",
            "consumergroup", "topic", "partition"));
        _groupMembers = new(f.CreateGauge("kafka_consumergroup_members", "Members of a group coordinated here.", "consumergroup"));
        metrics.Registry.AddBeforeCollectCallback(Update);
    }

    private void Update()
    {
        lock (_gate)
        {
            var image = _metadata.Current;
            var node = _config.NodeId;
            int hosted = 0, led = 0, under = 0, underMin = 0, offline = 0, all = 0;
            foreach (var topic in image.TopicsByName.Values)
            {
                foreach (var p in topic.Partitions)
                {
                    all++;
                    if (p.Leader < 0)
                        offline++;
                    if (p.Replicas.Contains(node))
                        hosted++;
                    if (p.Leader != node)
                        continue;
                    led++;
                    if (p.Isr.Count < p.Replicas.Count)
                        under++;
                    if (_replicas.Get(topic.Name, p.PartitionId) is { } local && p.Isr.Count < local.Config.MinInsyncReplicas)
                        underMin++;
                }
            }
            _partitionCount.Set(hosted);
            _leaderCount.Set(led);
            _underReplicated.Set(under);
            _underMinIsr.Set(underMin);
            var active = _config.IsController && _raft.IsLeader;
            _activeController.Set(active ? 1 : 0);
            _offlinePartitions.Set(active ? offline : 0);
            _globalPartitions.Set(active ? all : 0);
            _globalTopics.Set(active ? image.TopicsByName.Count : 0);
            _currentLeader.Set(_raft.Leader.LeaderId);
            _currentEpoch.Set(_raft.Leader.Epoch);
            _highWatermark.Set(_raft.HighWatermark);
            _appliedOffset.Set(_metadataLog.AppliedOffset);
            UpdateLogs();
            UpdateGroups();
        }
    }

    private void UpdateLogs()
    {
        foreach (var partition in _replicas.All)
        {
            var topic = partition.Id.Topic;
            var index = partition.Id.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _logSize.Set(partition.Log.Size, topic, index);
            _logEndOffset.Set(partition.Log.LogEndOffset, topic, index);
            _logStartOffset.Set(partition.Log.LogStartOffset, topic, index);
        }
        _logSize.Commit();
        _logEndOffset.Commit();
        _logStartOffset.Commit();
    }

    private void UpdateGroups()
    {
        foreach (var lag in GroupLag.Of(_groups, _replicas))
        {
            var index = lag.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _groupOffset.Set(lag.Committed, lag.Group, lag.Topic, index);
            if (lag.Lag is { } value)
                _groupLag.Set(value, lag.Group, lag.Topic, index);
        }
        foreach (var group in _groups.List([], []))
            _groupMembers.Set(_groups.Describe(group.GroupId).Members.Count, group.GroupId);
        _groupOffset.Commit();
        _groupLag.Commit();
        _groupMembers.Commit();
    }
}
