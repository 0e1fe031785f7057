using Broker.Metadata;
using Broker.Protocol.Wire;

namespace Broker.Controller;

/// <summary>A committed batch of metadata records, the offset of its last record and its size in the log (0 when unknown).</summary>
public sealed record CommittedBatch(long LastOffset, IReadOnlyList<IKafkaMessage> Records, long Bytes = 0);

/// <summary>
/// Where metadata records become durable: <c>__cluster_metadata</c>. With one voter an append is
/// committed once it is on disk; the Raft quorum replaces this with majority commit.
/// </summary>
public interface IMetadataLog
{
    /// <summary>Appends the records as one atomic batch; returns the last record's offset once committed.</summary>
    ValueTask<long> AppendAsync(IReadOnlyList<VersionedRecord> records, CancellationToken cancel);

    /// <summary>Every committed batch from the start of the log, for rebuilding the image.</summary>
    IEnumerable<CommittedBatch> ReadCommitted();
}
