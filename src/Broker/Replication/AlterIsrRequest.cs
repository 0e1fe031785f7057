using Broker.Protocol;
using Broker.Protocol.Wire;

namespace Broker.Replication;

/// <summary>One member of a proposed ISR, with the broker epoch it fetched with (KIP-903).</summary>
public readonly record struct IsrMember(int BrokerId, long BrokerEpoch);

/// <summary>The controller's answer to one partition of an AlterPartition.</summary>
public readonly record struct AlterIsrOutcome(ErrorCode Error, IReadOnlyList<int> Isr, int LeaderEpoch, int PartitionEpoch)
{
    public static AlterIsrOutcome Failed(ErrorCode error) => new(error, [], -1, -1);
}

/// <summary>A leader's proposal of a new ISR for one partition, answered through <see cref="Complete"/>.</summary>
public sealed record AlterIsrRequest(
    Uuid TopicId, string Topic, int Partition, int LeaderEpoch, int PartitionEpoch, IReadOnlyList<IsrMember> NewIsr, Action<AlterIsrOutcome> Complete);

/// <summary>
/// Where leaders send ISR changes: the active controller over AlterPartition in a running broker,
/// a simulated controller in tests. Delivery may fail and be retried; <see cref="AlterIsrRequest.Complete"/>
/// runs once per request, possibly on another thread.
/// </summary>
public interface IAlterIsrChannel
{
    void Submit(AlterIsrRequest request);
}
