using Broker.Config;
using Broker.Raft.Core;

namespace Broker.Hosting;

/// <summary>The Raft settings of this node from Kafka's <c>controller.quorum.*</c> configs.</summary>
public static class QuorumSettings
{
    public static RaftConfig RaftConfig(BrokerConfig config) =>
        new(config.NodeId, config.QuorumVoters.Select(v => v.NodeId).ToArray())
        {
            ElectionTimeoutMs = config.GetInt("controller.quorum.election.timeout.ms"),
            FetchTimeoutMs = config.GetInt("controller.quorum.fetch.timeout.ms"),
            ElectionBackoffMaxMs = config.GetInt("controller.quorum.election.backoff.max.ms"),
            RequestTimeoutMs = config.GetInt("controller.quorum.request.timeout.ms"),
            RetryBackoffMs = config.GetInt("controller.quorum.retry.backoff.ms"),
        };
}
