using Broker.Config;
using Broker.Metadata;
using Microsoft.Extensions.Logging;

namespace Broker.Replication;

/// <summary>
/// The follower side of replication in a running broker: one <see cref="ReplicaFetcher"/> per
/// (leader broker, fetcher id), with <c>num.replica.fetchers</c> fetchers per leader and each
/// partition always on the same one (its hash), as Kafka's ReplicaFetcherManager does.
/// </summary>
public sealed class ReplicaFetcherManager(BrokerConfig config, MetadataCache metadata, Func<long> brokerEpoch, ILoggerFactory loggers)
    : IReplicaFetchers, IAsyncDisposable
{
    private readonly Dictionary<(int Leader, int FetcherId), ReplicaFetcher> _fetchers = [];
    private readonly Dictionary<Partition, ReplicaFetcher> _assigned = [];
    private readonly int _fetchersPerLeader = Math.Max(1, config.GetInt("num.replica.fetchers"));
    private readonly FetcherSettings _settings = FetcherSettings.From(config);
    private bool _closed;

    public void Follow(Partition partition, int leader, int leaderEpoch)
    {
        lock (_fetchers)
        {
            if (_closed)
                return;
            var key = (leader, FetcherIdOf(partition));
            if (_assigned.TryGetValue(partition, out var current) && current.Leader != leader)
                current.Remove(partition);
            if (!_fetchers.TryGetValue(key, out var fetcher))
            {
                fetcher = new ReplicaFetcher(leader, key.Item2, _settings, metadata, brokerEpoch, loggers.CreateLogger<ReplicaFetcher>());
                _fetchers[key] = fetcher;
            }
            fetcher.Add(partition, leaderEpoch);
            _assigned[partition] = fetcher;
        }
    }

    public void Unfollow(Partition partition)
    {
        lock (_fetchers)
            if (_assigned.Remove(partition, out var fetcher))
                fetcher.Remove(partition);
    }

    private int FetcherIdOf(Partition partition) =>
        (int)((uint)HashCode.Combine(StringComparer.Ordinal.GetHashCode(partition.Id.Topic), partition.Id.Partition) % (uint)_fetchersPerLeader);

    public async ValueTask DisposeAsync()
    {
        ReplicaFetcher[] fetchers;
        lock (_fetchers)
        {
            _closed = true;
            fetchers = [.. _fetchers.Values];
            _fetchers.Clear();
            _assigned.Clear();
        }
        foreach (var fetcher in fetchers)
            await fetcher.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>The <c>replica.fetch.*</c> settings a fetcher honours.</summary>
public sealed record FetcherSettings(
    int NodeId, string ListenerName, int MaxWaitMs, int MinBytes, int PartitionMaxBytes, int ResponseMaxBytes, int BackoffMs, int SocketTimeoutMs)
{
    public static FetcherSettings From(BrokerConfig config) => new(
        config.NodeId,
        config.InterBrokerListenerName,
        config.GetInt("replica.fetch.wait.max.ms"),
        config.GetInt("replica.fetch.min.bytes"),
        config.GetInt("replica.fetch.max.bytes"),
        config.GetInt("replica.fetch.response.max.bytes"),
        config.GetInt("replica.fetch.backoff.ms"),
        config.GetInt("replica.socket.timeout.ms"));
}
