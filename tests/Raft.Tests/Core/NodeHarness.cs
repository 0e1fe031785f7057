using Broker.Raft.Core;

namespace Broker.Raft.Tests.Core;

/// <summary>Drives one <see cref="RaftNode"/> by hand: messages in, readies out (persisted at once).</summary>
public sealed class NodeHarness
{
    public NodeHarness(int id, int[] voters, QuorumState? state = null, RaftLog? log = null, Func<RaftConfig, RaftConfig>? configure = null)
    {
        var config = new RaftConfig(id, voters) { SnapshotChunkBytes = 4 };
        if (configure is not null) config = configure(config);
        Node = new RaftNode(config, new Random(id), state ?? QuorumState.Initial, log ?? new RaftLog(), Now);
        Drain();
    }

    public RaftNode Node { get; }
    public long Now { get; private set; } = 1_000_000;
    public List<RaftMessage> Sent { get; } = new();
    public List<RaftReady> Readies { get; } = new();
    public List<RaftBatch> Committed { get; } = new();

    public void Drain()
    {
        while (Node.HasReady)
        {
            var ready = Node.TakeReady();
            Readies.Add(ready);
            Sent.AddRange(ready.Messages);
            Committed.AddRange(ready.Committed);
            Node.Advance(ready);
        }
    }

    public void Step(int from, RaftRpc body)
    {
        Node.Step(new RaftMessage(from, Node.NodeId, body), Now);
        Drain();
    }

    public void Tick(long ms)
    {
        Now += ms;
        Node.Tick(Now);
        Drain();
    }

    /// <summary>The last message of type <typeparamref name="T"/> sent to <paramref name="to"/>.</summary>
    public T LastTo<T>(int to) where T : RaftRpc =>
        Sent.Where(m => m.To == to).Select(m => m.Body).OfType<T>().Last();

    public IReadOnlyList<T> AllSent<T>() where T : RaftRpc => Sent.Select(m => m.Body).OfType<T>().ToList();

    /// <summary>Times out, wins the pre-vote and the vote with the other voters' grants.</summary>
    public void BecomeLeader()
    {
        while (Node.Role != RaftRole.Prospective) Tick(100);
        foreach (var v in Node.Config.Voters.Where(v => v != Node.NodeId))
            Step(v, new VoteResponse(Broker.Protocol.ErrorCode.None, -1, Node.Epoch, true, PreVote: true));
        foreach (var v in Node.Config.Voters.Where(v => v != Node.NodeId))
            if (Node.Role == RaftRole.Candidate)
                Step(v, new VoteResponse(Broker.Protocol.ErrorCode.None, -1, Node.Epoch, true, PreVote: false));
        Assert.Equal(RaftRole.Leader, Node.Role);
    }

    public static RaftLog LogWith(params (int Epoch, int Records)[] batches)
    {
        var log = new RaftLog();
        foreach (var (epoch, records) in batches)
            log.Append(new RaftBatch(log.EndOffset, epoch, RaftBatchKind.Data,
                Enumerable.Range(0, records).Select(i => new[] { (byte)epoch, (byte)(log.EndOffset + i) }).ToArray()));
        return log;
    }
}
