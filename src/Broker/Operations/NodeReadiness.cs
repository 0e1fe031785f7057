using Broker.Config;
using Broker.Controller;
using Broker.Hosting;
using Broker.Metadata;
using Broker.Raft.Client;

namespace Broker.Operations;

/// <summary>
/// Answers /ready from what this node knows right now: a broker is ready when it is registered, the
/// controller answered a heartbeat within <c>broker.session.timeout.ms</c> and said it is unfenced, its
/// own metadata image has it unfenced, it has applied the metadata log up to the quorum's high
/// watermark under a known leader, and its Kafka listeners are bound and not stopping. A
/// controller-only node needs the metadata and its listener. Read by the HTTP thread; every input is
/// a volatile snapshot, so no lock is taken.
/// </summary>
public sealed class NodeReadiness(BrokerConfig config, MetadataCache metadata, RaftClient raft, RaftMetadataLog metadataLog)
{
    private readonly long _sessionTimeoutMs = config.GetInt("broker.session.timeout.ms");
    private volatile BrokerLifecycleManager? _lifecycle;
    private volatile bool _listenersAccepting;

    /// <summary>Set once the broker has started registering with the controller.</summary>
    public void Attach(BrokerLifecycleManager lifecycle) => _lifecycle = lifecycle;

    /// <summary>True from when every Kafka listener is bound until the node starts stopping.</summary>
    public bool ListenersAccepting
    {
        get => _listenersAccepting;
        set => _listenersAccepting = value;
    }

    public ReadinessReport Check()
    {
        var reasons = new List<string>();
        var leader = raft.Leader;
        var lag = Math.Max(0, raft.HighWatermark - (metadataLog.AppliedOffset + 1));
        if (leader.LeaderId < 0)
            reasons.Add("no metadata quorum leader is known");
        else if (lag > 0)
            reasons.Add($"metadata log not caught up: {lag} records behind the high watermark {raft.HighWatermark}");
        else if (metadataLog.AppliedEpoch < leader.Epoch)
            reasons.Add($"metadata log not caught up: the first batch of leader {leader.LeaderId}'s epoch {leader.Epoch} is not applied yet");
        if (!ListenersAccepting)
            reasons.Add("listeners are not accepting connections");
        if (config.IsBroker)
            CheckRegistration(reasons);
        return new ReadinessReport(reasons.Count == 0, config.NodeId, reasons, lag);
    }

    private void CheckRegistration(List<string> reasons)
    {
        var lifecycle = _lifecycle;
        if (lifecycle is null || lifecycle.BrokerEpoch < 0)
        {
            reasons.Add("not registered with the controller");
            return;
        }
        var answer = lifecycle.LastAnswer;
        var silentMs = answer is null ? long.MaxValue : Environment.TickCount64 - answer.AtTickMs;
        if (answer is null || silentMs > _sessionTimeoutMs)
            reasons.Add($"no heartbeat answer from the controller within broker.session.timeout.ms ({_sessionTimeoutMs} ms)");
        else if (answer.Fenced)
            reasons.Add("fenced by the controller");
        if (metadata.Current.Brokers.GetValueOrDefault(config.NodeId) is not { Fenced: false, InControlledShutdown: false })
            reasons.Add("fenced or shutting down in this node's metadata image");
    }
}
