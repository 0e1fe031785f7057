using Broker.Metadata;
using Broker.Protocol;
using Broker.Replication;

namespace Broker.Broker.Tests.Replication.Simulation;

/// <summary>
/// The controller's view of the one partition and the brokers, with Kafka's rules: AlterPartition
/// must carry the current leader and partition epochs and may add only live brokers at their current
/// epoch; a broker missing its session is fenced and leaves the ISR (never its last member); leaders
/// are elected from the ISR only (clean election).
/// </summary>
public sealed class SimController(ReplicationSimulator sim, IReadOnlyList<int> replicas)
{
    private readonly Dictionary<int, long> _brokerEpochs = [];
    private readonly HashSet<int> _fenced = [];

    public List<int> Isr { get; private set; } = [.. replicas];
    public int Leader { get; private set; } = -1;
    public int LeaderEpoch { get; private set; } = -1;
    public int PartitionEpoch { get; private set; } = -1;

    public PartitionImage Image => new(0, replicas, [.. Isr], Leader, LeaderEpoch, PartitionEpoch);

    public bool IsEligible(int broker, long brokerEpoch) =>
        _brokerEpochs.TryGetValue(broker, out var current) && current == brokerEpoch && !_fenced.Contains(broker);

    public void Register(int broker, long brokerEpoch)
    {
        // A new incarnation first ends the old one's session: leadership it held moves on.
        if (_brokerEpochs.ContainsKey(broker))
            Fence(broker);
        _brokerEpochs[broker] = brokerEpoch;
        _fenced.Remove(broker);
        if (Leader == -1 && Isr.Contains(broker))
            Elect(broker);
        else
            PartitionEpoch++;
        PublishAll();
    }

    public void Tick(long nowMs, Random random)
    {
        foreach (var node in sim.Nodes)
            if (!node.Alive && !_fenced.Contains(node.Id) && nowMs - node.CrashedAtMs >= 400)
            {
                Fence(node.Id);
                PublishAll();
            }
        // Now and then the leadership moves to another live ISR member (a preferred leader election).
        if (random.NextDouble() < 0.003)
        {
            var others = Isr.Where(r => r != Leader && !_fenced.Contains(r)).ToList();
            if (others.Count > 0)
            {
                Elect(others[random.Next(others.Count)]);
                PublishAll();
            }
        }
    }

    public AlterIsrOutcome AlterIsr(AlterIsrRequest request)
    {
        if (request.LeaderEpoch != LeaderEpoch)
            return AlterIsrOutcome.Failed(ErrorCode.FencedLeaderEpoch);
        if (request.PartitionEpoch != PartitionEpoch)
            return AlterIsrOutcome.Failed(ErrorCode.InvalidUpdateVersion);
        var proposed = request.NewIsr.Select(m => m.BrokerId).ToList();
        if (!proposed.Contains(Leader))
            return AlterIsrOutcome.Failed(ErrorCode.InvalidRequest);
        if (request.NewIsr.Any(m => !Isr.Contains(m.BrokerId) && !IsEligible(m.BrokerId, m.BrokerEpoch)))
            return AlterIsrOutcome.Failed(ErrorCode.IneligibleReplica);
        Isr = proposed;
        PartitionEpoch++;
        sim.Stats.IsrChanges++;
        PublishAll();
        return new AlterIsrOutcome(ErrorCode.None, [.. Isr], LeaderEpoch, PartitionEpoch);
    }

    private void Fence(int broker)
    {
        _fenced.Add(broker);
        if (Isr.Contains(broker) && Isr.Count > 1)
            Isr.Remove(broker);
        if (Leader == broker)
        {
            var candidates = Isr.Where(r => !_fenced.Contains(r)).ToList();
            Elect(candidates.Count > 0 ? candidates[0] : -1);
        }
        else
            PartitionEpoch++;
    }

    private void Elect(int leader)
    {
        Leader = leader;
        LeaderEpoch++;
        PartitionEpoch++;
        sim.Stats.Elections++;
    }

    private void PublishAll()
    {
        var image = Image;
        foreach (var node in sim.Nodes)
            sim.Publish(node, image);
    }
}
