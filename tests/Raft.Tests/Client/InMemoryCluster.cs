using System.Collections.Concurrent;
using Broker.Protocol.Wire;
using Broker.Raft.Client;
using Broker.Raft.Core;
using Broker.Raft.Storage;
using Broker.Raft.Tests.Storage;

namespace Broker.Raft.Tests.Client;

/// <summary>
/// Real <see cref="RaftClient"/>s in one process: each message is serialized to Kafka wire bytes
/// at its highest version and parsed again on the way, as over TCP.
/// </summary>
public sealed class InMemoryCluster : IAsyncDisposable, IRaftTransport
{
    private readonly TempDir _dir = new();
    private readonly ConcurrentDictionary<int, RaftClient> _clients = new();
    private readonly int[] _voters;

    public InMemoryCluster(params int[] voters) => _voters = voters;

    public ConcurrentDictionary<int, RecordingListener> Listeners { get; } = new();

    private int _preVotesSent;

    /// <summary>VoteRequests that crossed the wire with KIP-996's PreVote flag set.</summary>
    public int PreVotesSent => Volatile.Read(ref _preVotesSent);

    public RaftClient this[int id] => _clients[id];

    public RaftClient Start(int id)
    {
        var config = new RaftConfig(id, _voters)
        {
            ElectionTimeoutMs = 400, FetchTimeoutMs = 1000, FetchMaxWaitMs = 100, RequestTimeoutMs = 500, ElectionBackoffMaxMs = 200,
        };
        var listener = Listeners[id] = new RecordingListener();
        var store = new RaftLogStore(Path.Combine(_dir.Path, $"node-{id}"), _voters);
        var client = new RaftClient(config, "test-cluster", store, this, listener, randomSeed: id) { TickMs = 5 };
        _clients[id] = client;
        client.Start();
        return client;
    }

    public async Task StopAsync(int id)
    {
        if (_clients.TryRemove(id, out var client)) await client.DisposeAsync();
    }

    public async Task<IApiMessage> SendAsync(int destinationId, IApiMessage request, CancellationToken cancel)
    {
        if (!_clients.TryGetValue(destinationId, out var client)) throw new IOException($"node {destinationId} is down");
        var received = OverTheWire(request);
        if (received is Broker.Protocol.Messages.VoteRequest vote && vote.Topics.SelectMany(t => t.Partitions).Any(p => p.PreVote))
            Interlocked.Increment(ref _preVotesSent);
        var response = await client.HandleRequestAsync(received, cancel);
        return OverTheWire(response);
    }

    private static IApiMessage OverTheWire(IApiMessage message)
    {
        using var buffer = new PooledBufferWriter();
        message.Write(new KafkaWriter(buffer), message.HighestVersion);
        var copy = (IApiMessage)Activator.CreateInstance(message.GetType())!;
        var reader = new KafkaReader(buffer.ToArray());
        copy.Read(ref reader, message.HighestVersion);
        return copy;
    }

    /// <summary>Waits for <paramref name="condition"/>, failing with <paramref name="what"/> after the deadline.</summary>
    public static async Task Until(Func<bool> condition, string what, int timeoutMs = 20_000, Func<string>? state = null)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what}{(state is null ? "" : ": " + state())}");
            await Task.Delay(10);
        }
    }

    public async Task<RaftClient> LeaderAsync()
    {
        RaftClient? leader = null;
        await Until(() =>
        {
            var leaders = _clients.Values.Where(c => c.IsLeader).ToList();
            leader = leaders.Count == 1 ? leaders[0] : null;
            return leader is not null && _clients.Values.All(c => c.Leader == leader.Leader);
        }, "one leader that every node follows");
        return leader!;
    }

    /// <summary>
    /// Appends on whoever leads, as a real caller does: when leadership moves mid-append
    /// (<see cref="NotLeaderException"/>) it waits for the new leader and retries until the deadline.
    /// A retried append may land twice (the first attempt can still commit under the new leader).
    /// </summary>
    public async Task<(RaftClient Leader, long LastOffset)> AppendOnLeaderAsync(byte[][] records, int timeoutMs = 20_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var leader = await LeaderAsync();
            try
            {
                return (leader, await leader.AppendAsync(leader.Leader.Epoch, records));
            }
            catch (NotLeaderException) when (DateTime.UtcNow < deadline)
            {
            }
        }
    }

    /// <summary>
    /// Whether every listed node committed the same records, which are <paramref name="expected"/> in order
    /// once the duplicates a retried append may leave are collapsed.
    /// </summary>
    public bool SameRecords(IEnumerable<int> nodes, params string[] expected)
    {
        var logs = nodes.Select(id => Listeners[id].Records).ToList();
        return logs.All(l => l.SequenceEqual(logs[0])) && logs[0].Distinct().SequenceEqual(expected);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _clients.Keys.ToList()) await StopAsync(id);
        _dir.Dispose();
    }
}

public sealed class RecordingListener : IRaftListener
{
    private readonly object _lock = new();
    private readonly List<string> _records = new();

    public IReadOnlyList<string> Records { get { lock (_lock) return _records.ToList(); } }
    public int SnapshotsLoaded { get; private set; }
    public LeaderAndEpoch LastLeader { get; private set; }

    public void HandleCommit(IReadOnlyList<RaftBatch> batches)
    {
        lock (_lock)
            foreach (var b in batches.Where(b => !b.IsControl))
                _records.AddRange(b.Records.Select(r => System.Text.Encoding.UTF8.GetString(r)));
    }

    public void HandleLoadSnapshot(SnapshotId id, IReadOnlyList<byte[]> records)
    {
        lock (_lock)
        {
            _records.Clear();
            _records.AddRange(records.Select(r => System.Text.Encoding.UTF8.GetString(r)));
        }
        SnapshotsLoaded++;
    }

    public void HandleLeaderChange(LeaderAndEpoch leader) => LastLeader = leader;
}
