using System.Collections.Concurrent;
using Broker.Protocol;
using Broker.Protocol.Wire;
using Broker.Raft.Core;
using Broker.Raft.Kafka;
using Broker.Raft.Storage;
using W = Broker.Protocol.Messages;

namespace Broker.Raft.Client;

/// <summary>
/// Runs one <see cref="RaftNode"/> for real: a dedicated thread owns the node and the disk,
/// feeds it clock ticks, inbound requests (<see cref="HandleRequestAsync"/>), responses from the
/// <see cref="IRaftTransport"/> and appends (<see cref="AppendAsync"/>), persists each ready
/// through <see cref="RaftLogStore"/> before sending or applying it, and reports to the
/// <see cref="IRaftListener"/>.
/// </summary>
public sealed class RaftClient : IAsyncDisposable
{
    private readonly RaftConfig _config;
    private readonly RaftLogStore _store;
    private readonly IRaftTransport _transport;
    private readonly IRaftListener _listener;
    private readonly TimeProvider _time;
    private readonly KafkaRaftCodec _codec;
    private readonly BlockingCollection<Action> _inbox = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private RaftNode _node = null!;

    // Inbound requests waiting for the node's answer, per peer and response type, oldest first.
    private readonly Dictionary<(int Peer, Type Response), Queue<TaskCompletionSource<IApiMessage>>> _inboundWaiting = new();
    private readonly SortedDictionary<long, (int Epoch, TaskCompletionSource<long> Done)> _appendsWaiting = new();
    private readonly ConcurrentBag<Task> _resignationSends = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile RaftState _state = new(LeaderAndEpoch.None, 0, RaftRole.Unattached);

    private sealed record RaftState(LeaderAndEpoch Leader, long HighWatermark, RaftRole Role);

    public RaftClient(RaftConfig config, string clusterId, RaftLogStore store, IRaftTransport transport, IRaftListener listener,
        TimeProvider? time = null, int? randomSeed = null)
    {
        _config = config with { PreVote = config.PreVote && KafkaRaftCodec.CarriesPreVote };
        _store = store;
        _transport = transport;
        _listener = listener;
        _time = time ?? TimeProvider.System;
        _codec = new KafkaRaftCodec(clusterId);
        _thread = new Thread(() => Run(randomSeed ?? Environment.TickCount ^ config.NodeId)) { IsBackground = true, Name = $"raft-{config.NodeId}" };
    }

    public int NodeId => _config.NodeId;
    public LeaderAndEpoch Leader => _state.Leader;
    public long HighWatermark => _state.HighWatermark;
    public RaftRole Role => _state.Role;
    public bool IsLeader => _state.Role == RaftRole.Leader;

    /// <summary>How often the node's timers are checked.</summary>
    public int TickMs { get; init; } = 10;

    public void Start() => _thread.Start();

    /// <summary>Completes when the Raft thread stops; faults if it died of an error (the process should then exit).</summary>
    public Task Completion => _completion.Task;

    /// <summary>
    /// Answers an inbound Vote, BeginQuorumEpoch, EndQuorumEpoch, Fetch (on <c>__cluster_metadata</c>),
    /// FetchSnapshot or DescribeQuorum request. A fetch may be held up to the fetch max wait.
    /// </summary>
    public Task<IApiMessage> HandleRequestAsync(IApiMessage request, CancellationToken cancel = default)
    {
        var done = new TaskCompletionSource<IApiMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (request is W.DescribeQuorumRequest describe)
        {
            if (!Post(() => done.TrySetResult(DescribeQuorumBuilder.Build(describe, _node.DescribeQuorum(NowMs()), new LeaderAndEpoch(_node.LeaderId, _node.Epoch)))))
                done.TrySetException(Stopped());
            return done.Task;
        }
        var rpc = _codec.FromWireRequest(request);
        if (rpc is null)
            return Task.FromResult(_codec.ErrorResponse(request, ErrorCode.InconsistentClusterId));
        var from = rpc switch
        {
            VoteRequest v => v.CandidateId,
            BeginQuorumEpochRequest b => b.LeaderId,
            EndQuorumEpochRequest e => e.LeaderId,
            FetchRequest f => f.ReplicaId,
            FetchSnapshotRequest s => s.ReplicaId,
            _ => -1,
        };
        var responseType = ResponseTypeOf(rpc);
        cancel.Register(() => done.TrySetCanceled(cancel));
        if (!Post(() =>
        {
            var key = (from, responseType);
            if (!_inboundWaiting.TryGetValue(key, out var queue)) _inboundWaiting[key] = queue = new();
            // A newer fetch from the same replica replaces a parked one (the node keeps one per replica).
            if (rpc is FetchRequest)
                while (queue.TryDequeue(out var older))
                    older.TrySetResult(_codec.ErrorResponse(request, ErrorCode.RequestTimedOut));
            queue.Enqueue(done);
            _node.Step(new RaftMessage(from, _config.NodeId, rpc), NowMs());
        }))
            done.TrySetException(Stopped());
        return done.Task;
    }

    /// <summary>
    /// Appends <paramref name="records"/> as one batch if this node leads <paramref name="epoch"/>;
    /// completes with the last offset once committed. Throws <see cref="NotLeaderException"/> otherwise,
    /// or when leadership is lost first (the batch may or may not commit under the next leader).
    /// </summary>
    public Task<long> AppendAsync(int epoch, IReadOnlyList<byte[]> records, CancellationToken cancel = default)
    {
        var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        cancel.Register(() => done.TrySetCanceled(cancel));
        if (!Post(() =>
        {
            if (!_node.IsLeader || _node.Epoch != epoch)
            {
                done.TrySetException(new NotLeaderException($"node {_config.NodeId} is not the leader of epoch {epoch}", new(_node.LeaderId, _node.Epoch)));
                return;
            }
            var last = _node.Propose(records, NowMs());
            _appendsWaiting[last] = (epoch, done);
        }))
            done.TrySetException(Stopped());
        return done.Task;
    }

    /// <summary>Stores a snapshot the state machine wrote (file bytes from <see cref="SnapshotFile.Build"/>) and cuts the log behind it.</summary>
    public Task<SnapshotId?> CreateSnapshotAsync(long endOffset, byte[] snapshotFile)
    {
        var done = new TaskCompletionSource<SnapshotId?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Post(() => done.TrySetResult(_node.CreateSnapshot(endOffset, snapshotFile, deleteLogPrefix: true))))
            done.TrySetException(Stopped());
        return done.Task;
    }

    /// <summary>Graceful leader shutdown: EndQuorumEpoch to the voters, then stop leading.</summary>
    public Task ResignAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Post(() =>
        {
            _node.Resign(NowMs());
            done.TrySetResult();
        }))
            done.TrySetException(Stopped());
        return done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        if (_thread.IsAlive && !_inbox.IsAddingCompleted)
        {
            try
            {
                await ResignAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or ObjectDisposedException or InvalidOperationException)
            {
                // Stopped or stuck already: shut down regardless.
            }
            // Let EndQuorumEpoch reach the voters so the successor need not wait for a fetch timeout.
            var resignations = _resignationSends.ToArray();
            try
            {
                await Task.WhenAll(resignations).WaitAsync(TimeSpan.FromMilliseconds(_config.RequestTimeoutMs)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
            _stop.Cancel();
            _inbox.CompleteAdding();
            await Task.Run(() => _thread.Join()).ConfigureAwait(false);
        }
        FailWaiting(new ObjectDisposedException(nameof(RaftClient)));
        _stop.Dispose();
        _inbox.Dispose();
    }

    /// <summary>Queues work for the Raft thread; false once it has stopped.</summary>
    private bool Post(Action action)
    {
        try
        {
            _inbox.Add(action);
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            return false;
        }
    }

    private Exception Stopped() => _completion.Task.Exception?.InnerException is { } e
        ? new InvalidOperationException("the Raft thread failed", e)
        : new ObjectDisposedException(nameof(RaftClient));

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void Run(int seed)
    {
        try
        {
            Loop(seed);
            _completion.TrySetResult();
        }
        catch (Exception e)
        {
            // A disk error or a broken invariant: nothing after it can be trusted (Kafka halts here).
            _inbox.CompleteAdding();
            FailWaiting(e);
            _completion.TrySetException(e);
        }
    }

    private void Loop(int seed)
    {
        _node = new RaftNode(_config, new Random(seed), _store.LoadQuorumState(), _store.LoadLog(), NowMs());
        Drain();
        var nextTick = NowMs() + TickMs;
        while (!_stop.IsCancellationRequested)
        {
            var wait = (int)Math.Clamp(nextTick - NowMs(), 0, TickMs);
            try
            {
                if (_inbox.TryTake(out var action, wait, _stop.Token)) action();
            }
            catch (OperationCanceledException)
            {
                break;
            }
            if (NowMs() >= nextTick)
            {
                _node.Tick(NowMs());
                nextTick = NowMs() + TickMs;
            }
            Drain();
        }
    }

    /// <summary>The driver contract of <see cref="RaftReady"/>: persist, apply, send, advance.</summary>
    private void Drain()
    {
        while (_node.HasReady)
        {
            var ready = _node.TakeReady();
            _store.Persist(ready);
            if (ready.LoadSnapshot is { } snap)
                _listener.HandleLoadSnapshot(snap.Id, SnapshotFile.ReadRecords(snap.Data));
            if (ready.Committed.Count > 0)
                _listener.HandleCommit(ready.Committed);
            if (ready.LeaderChange is { } leader)
                _listener.HandleLeaderChange(leader);
            foreach (var message in ready.Messages) Deliver(message);
            _node.Advance(ready);
        }
        _state = new RaftState(new LeaderAndEpoch(_node.LeaderId, _node.Epoch), _node.HighWatermark, _node.Role);
        CompleteAppends();
        if (!_node.IsLeader) AnswerParkedFetches();
    }

    private void Deliver(RaftMessage message)
    {
        if (IsResponse(message.Body))
        {
            if (_inboundWaiting.TryGetValue((message.To, message.Body.GetType()), out var queue) && queue.TryDequeue(out var waiting))
                waiting.TrySetResult(_codec.ToWireResponse(message.Body));
            return;
        }
        var request = message.Body;
        var wire = _codec.ToWire(request);
        var send = SendAsync(message.To, wire, request);
        if (request is EndQuorumEpochRequest) _resignationSends.Add(send);
    }

    private async Task SendAsync(int to, IApiMessage wire, RaftRpc request)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(_config.RequestTimeoutMs);
            var response = await _transport.SendAsync(to, wire, timeout.Token).ConfigureAwait(false);
            var rpc = _codec.FromWireResponse(response, request);
            if (rpc is not null) Post(() => _node.Step(new RaftMessage(to, _config.NodeId, rpc), NowMs()));
        }
        catch (Exception)
        {
            // The transport faults in its own terms when a peer cannot be reached (IRaftTransport):
            // the node's timers resend; an unreachable peer is normal during elections and shutdown.
        }
    }

    private void CompleteAppends()
    {
        while (_appendsWaiting.Count > 0)
        {
            var (offset, (epoch, done)) = _appendsWaiting.First();
            if (offset < _node.HighWatermark && _node.Epoch == epoch) done.TrySetResult(offset);
            else if (_node.Epoch != epoch || !_node.IsLeader)
                done.TrySetException(new NotLeaderException($"leadership of epoch {epoch} ended before offset {offset} committed", new(_node.LeaderId, _node.Epoch)));
            else break;
            _appendsWaiting.Remove(offset);
        }
    }

    /// <summary>Fetches the node parked as leader and dropped on stepping down get an error now.</summary>
    private void AnswerParkedFetches()
    {
        foreach (var ((_, type), queue) in _inboundWaiting)
        {
            if (type != typeof(FetchResponse)) continue;
            while (queue.TryDequeue(out var waiting))
                waiting.TrySetResult(_codec.ToWireResponse(new FetchResponse(ErrorCode.NotLeaderOrFollower,
                    new LeaderAndEpoch(_node.LeaderId, _node.Epoch), _node.HighWatermark, _node.Log.StartOffset, null, null, [], -1, -1)));
        }
    }

    private void FailWaiting(Exception error)
    {
        foreach (var (_, (_, done)) in _appendsWaiting) done.TrySetException(error);
        _appendsWaiting.Clear();
        foreach (var queue in _inboundWaiting.Values)
            while (queue.TryDequeue(out var waiting)) waiting.TrySetException(error);
    }

    private static bool IsResponse(RaftRpc rpc) =>
        rpc is VoteResponse or BeginQuorumEpochResponse or EndQuorumEpochResponse or FetchResponse or FetchSnapshotResponse;

    private static Type ResponseTypeOf(RaftRpc request) => request switch
    {
        VoteRequest => typeof(VoteResponse),
        BeginQuorumEpochRequest => typeof(BeginQuorumEpochResponse),
        EndQuorumEpochRequest => typeof(EndQuorumEpochResponse),
        FetchRequest => typeof(FetchResponse),
        _ => typeof(FetchSnapshotResponse),
    };
}
