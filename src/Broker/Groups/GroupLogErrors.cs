using Broker.Protocol;

namespace Broker.Groups;

/// <summary>
/// What a group client is told when writing to __consumer_offsets failed. Kafka maps the append's
/// error twice over: an offset commit learns its offsets were too large, while a group write
/// (assignment, membership, tombstones) that timed out sends members back to rejoin.
/// </summary>
public static class GroupLogErrors
{
    public static ErrorCode ForOffsetCommit(ErrorCode append) => append switch
    {
        ErrorCode.MessageTooLarge or ErrorCode.RecordListTooLarge or ErrorCode.InvalidFetchSize => ErrorCode.InvalidCommitOffsetSize,
        _ => Common(append),
    };

    public static ErrorCode ForGroupWrite(ErrorCode append) => append switch
    {
        ErrorCode.RequestTimedOut => ErrorCode.RebalanceInProgress,
        ErrorCode.MessageTooLarge or ErrorCode.RecordListTooLarge or ErrorCode.InvalidFetchSize => ErrorCode.UnknownServerError,
        _ => Common(append),
    };

    /// <summary>A partition that is gone or short of replicas is a coordinator to wait for; one led elsewhere, or on a failed disk, is not this coordinator.</summary>
    private static ErrorCode Common(ErrorCode append) => append switch
    {
        ErrorCode.UnknownTopicOrPartition or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend => ErrorCode.CoordinatorNotAvailable,
        ErrorCode.NotLeaderOrFollower or ErrorCode.KafkaStorageError => ErrorCode.NotCoordinator,
        _ => append,
    };
}
