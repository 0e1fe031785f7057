using System.Net.Sockets;
using Broker.Cli;
using Broker.Log;
using Broker.Metadata;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Broker.Replication;

/// <summary>
/// One fetcher thread: fetches a set of follower partitions from one leader broker over its
/// inter-broker listener, with Kafka's replica Fetch (replica id and broker epoch), and hands each
/// partition's answer to <see cref="Partition.ApplyFromLeader"/>. A partition whose answer is an
/// error the metadata will settle waits <c>replica.fetch.backoff.ms</c>; a failed connection makes
/// every partition wait that long.
/// </summary>
public sealed class ReplicaFetcher : IAsyncDisposable
{
    private sealed class FetchState(Partition partition, int leaderEpoch)
    {
        public Partition Partition { get; } = partition;
        public int LeaderEpoch { get; set; } = leaderEpoch;
        public long DelayedUntil { get; set; }
    }

    private readonly Dictionary<Partition, FetchState> _partitions = [];
    private readonly FetcherSettings _settings;
    private readonly MetadataCache _metadata;
    private readonly Func<long> _brokerEpoch;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private KafkaConnection? _connection;
    private bool _failing;

    public ReplicaFetcher(int leader, int fetcherId, FetcherSettings settings, MetadataCache metadata, Func<long> brokerEpoch, ILogger logger)
    {
        Leader = leader;
        FetcherId = fetcherId;
        _settings = settings;
        _metadata = metadata;
        _brokerEpoch = brokerEpoch;
        _logger = logger;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    public int Leader { get; }
    public int FetcherId { get; }

    public void Add(Partition partition, int leaderEpoch)
    {
        lock (_partitions)
        {
            if (_partitions.TryGetValue(partition, out var state))
            {
                state.LeaderEpoch = leaderEpoch;
                state.DelayedUntil = 0;
            }
            else
            {
                _partitions[partition] = new FetchState(partition, leaderEpoch);
            }
        }
        _changed.TrySetResult();
    }

    public void Remove(Partition partition)
    {
        lock (_partitions)
            _partitions.Remove(partition);
    }

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var batch = Ready(out var nextReady);
                if (batch.Count == 0)
                {
                    await WaitForChangeAsync(nextReady, stop).ConfigureAwait(false);
                    continue;
                }
                await FetchOnceAsync(batch, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or SocketException or KafkaClientException or ProtocolException or OperationCanceledException)
            {
                // The leader is down or unreachable: say so once per outage, then retry quietly after the back-off.
                if (!_failing)
                    _logger.LogWarning("Replica fetcher {Fetcher} of node {Node} cannot fetch from broker {Leader}: {Error}",
                        FetcherId, _settings.NodeId, Leader, e.Message);
                _failing = true;
                await DropConnectionAsync().ConfigureAwait(false);
                await DelayAsync(_settings.BackoffMs, stop).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Replica fetcher {Fetcher} of node {Node} (leader {Leader}) failed; retrying", FetcherId, _settings.NodeId, Leader);
                await DropConnectionAsync().ConfigureAwait(false);
                await DelayAsync(_settings.BackoffMs, stop).ConfigureAwait(false);
            }
        }
    }

    private List<(FetchState State, int LeaderEpoch)> Ready(out long nextReady)
    {
        var now = Environment.TickCount64;
        nextReady = long.MaxValue;
        var ready = new List<(FetchState, int)>();
        lock (_partitions)
        {
            if (_changed.Task.IsCompleted)
                _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            foreach (var state in _partitions.Values)
            {
                if (state.DelayedUntil <= now)
                    ready.Add((state, state.LeaderEpoch));
                else
                    nextReady = Math.Min(nextReady, state.DelayedUntil);
            }
        }
        return ready;
    }

    private async Task WaitForChangeAsync(long nextReady, CancellationToken stop)
    {
        Task changed;
        lock (_partitions)
            changed = _changed.Task;
        var wait = nextReady == long.MaxValue ? Timeout.Infinite : (int)Math.Clamp(nextReady - Environment.TickCount64, 1, int.MaxValue);
        await Task.WhenAny(changed, Task.Delay(wait, stop)).ConfigureAwait(false);
        stop.ThrowIfCancellationRequested();
    }

    private async Task FetchOnceAsync(List<(FetchState State, int LeaderEpoch)> batch, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(_settings.SocketTimeoutMs + _settings.MaxWaitMs));
        var connection = await ConnectAsync(timeout.Token).ConfigureAwait(false);
        var version = connection.VersionFor(ApiKey.Fetch);
        if (version < 12)
            throw new KafkaClientException($"Broker {Leader} does not serve Fetch v12+ (it offers v{version}); replication needs divergence detection.");
        var request = BuildRequest(batch, version);
        var response = await connection.SendAsync<FetchResponse>(request, version, timeout.Token).ConfigureAwait(false);
        if (_failing)
            _logger.LogInformation("Replica fetcher {Fetcher} of node {Node} reaches broker {Leader} again", FetcherId, _settings.NodeId, Leader);
        _failing = false;
        if (response.ErrorCode != 0)
        {
            _logger.LogWarning("Broker {Leader} refused a replica fetch: {Error}", Leader, (ErrorCode)response.ErrorCode);
            Delay(batch);
            return;
        }
        Apply(batch, response, version);
    }

    private FetchRequest BuildRequest(List<(FetchState State, int LeaderEpoch)> batch, short version)
    {
        var request = new FetchRequest
        {
            MaxWaitMs = _settings.MaxWaitMs,
            MinBytes = _settings.MinBytes,
            MaxBytes = _settings.ResponseMaxBytes,
            IsolationLevel = 0,
            SessionId = 0,
            SessionEpoch = -1,
        };
        if (version >= 15)
            request.ReplicaState = new FetchRequest.ReplicaStateData { ReplicaId = _settings.NodeId, ReplicaEpoch = _brokerEpoch() };
        else
            request.ReplicaId = _settings.NodeId;
        foreach (var group in batch.GroupBy(b => b.State.Partition.Id.Topic))
        {
            var topic = new FetchRequest.FetchTopic { Topic = group.Key, TopicId = group.First().State.Partition.TopicId };
            foreach (var (state, leaderEpoch) in group)
            {
                var (fetchOffset, lastFetchedEpoch) = state.Partition.FetchPosition;
                topic.Partitions.Add(new FetchRequest.FetchPartition
                {
                    Partition = state.Partition.Id.Partition,
                    CurrentLeaderEpoch = leaderEpoch,
                    FetchOffset = fetchOffset,
                    LastFetchedEpoch = lastFetchedEpoch,
                    LogStartOffset = state.Partition.Log.LogStartOffset,
                    PartitionMaxBytes = _settings.PartitionMaxBytes,
                });
            }
            request.Topics.Add(topic);
        }
        return request;
    }

    private void Apply(List<(FetchState State, int LeaderEpoch)> batch, FetchResponse response, short version)
    {
        var byKey = batch.ToDictionary(b => (version >= 13 ? b.State.Partition.TopicId.ToString() : b.State.Partition.Id.Topic, b.State.Partition.Id.Partition));
        foreach (var topic in response.Responses)
        {
            var topicKey = version >= 13 ? topic.TopicId.ToString() : topic.Topic;
            foreach (var data in topic.Partitions)
            {
                if (!byKey.Remove((topicKey, data.PartitionIndex), out var entry))
                    continue;
                var step = ApplyOne(entry.State.Partition, entry.LeaderEpoch, data);
                if (step == FollowerStep.Backoff)
                    Delay([entry]);
                else if (step == FollowerStep.Offline)
                    Remove(entry.State.Partition);
            }
        }
        // Partitions the leader did not answer for are tried again after the back-off.
        if (byKey.Count > 0)
            Delay(byKey.Values.ToList());
    }

    private FollowerStep ApplyOne(Partition partition, int leaderEpoch, FetchResponse.PartitionData data)
    {
        var error = (ErrorCode)data.ErrorCode;
        try
        {
            var step = partition.ApplyFromLeader(leaderEpoch, new LeaderData(error, data.HighWatermark, data.LogStartOffset,
                data.DivergingEpoch.Epoch, data.DivergingEpoch.EndOffset, data.Records ?? ReadOnlyMemory<byte>.Empty));
            if (step == FollowerStep.Backoff)
                _logger.LogDebug("{Partition}: leader {Leader} answered {Error}; backing off", partition.Id, Leader, error);
            return step;
        }
        catch (Exception e) when (e is LogException or CorruptRecordException or IOException or ObjectDisposedException)
        {
            _logger.LogError("{Partition}: could not apply data from leader {Leader}: {Error}", partition.Id, Leader, e.Message);
            return FollowerStep.Backoff;
        }
    }

    private void Delay(List<(FetchState State, int LeaderEpoch)> entries)
    {
        var until = Environment.TickCount64 + _settings.BackoffMs;
        lock (_partitions)
            foreach (var (state, epoch) in entries)
                if (state.LeaderEpoch == epoch)
                    state.DelayedUntil = until;
    }

    private async Task<KafkaConnection> ConnectAsync(CancellationToken cancel)
    {
        if (_connection is not null)
            return _connection;
        var broker = _metadata.Current.Brokers.GetValueOrDefault(Leader)
            ?? throw new KafkaClientException($"broker {Leader} is not registered");
        var endpoint = broker.Endpoint(_settings.ListenerName) ?? broker.Endpoints.FirstOrDefault()
            ?? throw new KafkaClientException($"broker {Leader} registered no listener");
        _connection = await KafkaConnection.ConnectAsync([(endpoint.Host, endpoint.Port)],
            $"broker-{_settings.NodeId}-fetcher-{FetcherId}", cancel).ConfigureAwait(false);
        return _connection;
    }

    private async Task DropConnectionAsync()
    {
        if (_connection is not null)
            await _connection.DisposeAsync().ConfigureAwait(false);
        _connection = null;
    }

    private static async Task DelayAsync(int ms, CancellationToken stop)
    {
        try
        {
            await Task.Delay(ms, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await DropConnectionAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
