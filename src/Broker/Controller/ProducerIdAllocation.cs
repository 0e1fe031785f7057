using Broker.Metadata;
using Broker.Protocol;
using Broker.Protocol.MetadataRecords;

namespace Broker.Controller;

/// <summary>A block of producer ids handed to one broker: <c>[Start, Start + Length)</c>.</summary>
public readonly record struct ProducerIdBlock(long Start, int Length)
{
    public long End => Start + Length;
}

/// <summary>Outcome of AllocateProducerIds: a block, or the error Kafka's controller would return.</summary>
public readonly record struct ProducerIdAllocationResult(ErrorCode Error, string? Message, ProducerIdBlock Block);

/// <summary>
/// The controller side of AllocateProducerIds (Kafka's ProducerIdControlManager): each request
/// takes the next <see cref="BlockSize"/> ids and commits a <c>ProducerIdsRecord</c> naming the
/// start of the block after it. The image replays that record, so an id is never handed out twice,
/// across restarts and controller changes alike.
/// </summary>
public static class ProducerIdAllocation
{
    /// <summary>Kafka's block size.</summary>
    public const int BlockSize = 1000;

    public static Task<ProducerIdAllocationResult> AllocateProducerIdsAsync(
        this QuorumController controller, int brokerId, long brokerEpoch, CancellationToken cancel) =>
        controller.RunAsync<ProducerIdAllocationResult>(image =>
        {
            var refusal = Check(image, brokerId, brokerEpoch);
            if (refusal is { } error)
                return (new List<VersionedRecord>(), error);
            var start = image.NextProducerId;
            var record = VersionedRecord.Latest(new ProducerIdsRecord
            {
                BrokerId = brokerId, BrokerEpoch = brokerEpoch, NextProducerId = start + BlockSize,
            });
            return (new List<VersionedRecord> { record }, new ProducerIdAllocationResult(ErrorCode.None, null, new ProducerIdBlock(start, BlockSize)));
        }, cancel);

    private static ProducerIdAllocationResult? Check(MetadataImage image, int brokerId, long brokerEpoch)
    {
        if (!image.Brokers.TryGetValue(brokerId, out var broker))
            return Failed(ErrorCode.BrokerIdNotRegistered, $"Broker {brokerId} is not registered.");
        if (broker.Epoch != brokerEpoch)
            return Failed(ErrorCode.StaleBrokerEpoch, $"Broker {brokerId} has epoch {broker.Epoch}, not {brokerEpoch}.");
        if (image.NextProducerId > long.MaxValue - BlockSize)
            return Failed(ErrorCode.UnknownServerError, "Exhausted all producer ids.");
        return null;
    }

    private static ProducerIdAllocationResult Failed(ErrorCode error, string message) => new(error, message, default);
}
