namespace Broker.Log;

/// <summary>
/// What the log directory's checkpoint files say about one partition when it is opened. The
/// default (all zero, unclean) is right for a new partition and safe for any: recover everything.
/// </summary>
/// <param name="RecoveryPoint">Offsets below it were flushed; recovery scans from its segment on.</param>
/// <param name="CleanShutdown">The log directory had <c>.kafka_cleanshutdown</c>: skip recovery.</param>
public readonly record struct LogCheckpoint(long RecoveryPoint, long LogStartOffset, long HighWatermark, bool CleanShutdown);

/// <summary>What opening a log found and did, for logs and for tests that must tell a scan from none.</summary>
/// <param name="SegmentsRecovered">Segments whose batches were validated one by one and indexes rebuilt.</param>
/// <param name="BatchesRecovered">Batches those scans validated.</param>
/// <param name="BytesTruncated">Torn or corrupt bytes cut from the end of the recovered segment.</param>
/// <param name="SegmentsDeleted">Segments after a corrupt one, removed because nothing after damage is trusted.</param>
public sealed record LogLoadStats(
    bool CleanShutdown,
    int SegmentsLoaded,
    int SegmentsRecovered,
    long BatchesRecovered,
    long BytesTruncated,
    int SegmentsDeleted);
