using Broker.Protocol;
using Broker.Raft.Core;
using W = Broker.Protocol.Messages;

namespace Broker.Raft.Kafka;

/// <summary>
/// DescribeQuorum as Kafka answers it (what <c>kafka-metadata-quorum describe --status /
/// --replication</c> reads): the leader fills the partition; any other node answers
/// NOT_LEADER_OR_FOLLOWER at the partition level.
/// </summary>
public static class DescribeQuorumBuilder
{
    public static W.DescribeQuorumResponse Build(W.DescribeQuorumRequest request, QuorumInfo? quorum, LeaderAndEpoch known)
    {
        var asksForMetadata = request.Topics.Count == 1 && request.Topics[0].TopicName == KafkaRaftCodec.MetadataTopic
                              && request.Topics[0].Partitions.Count == 1 && request.Topics[0].Partitions[0].PartitionIndex == KafkaRaftCodec.MetadataPartition;
        if (!asksForMetadata)
            return new W.DescribeQuorumResponse { ErrorCode = (short)ErrorCode.InvalidRequest, ErrorMessage = "DescribeQuorum is only for __cluster_metadata-0" };

        var partition = new W.DescribeQuorumResponse.PartitionData { PartitionIndex = KafkaRaftCodec.MetadataPartition, ErrorMessage = null };
        if (quorum is null)
        {
            partition.ErrorCode = (short)ErrorCode.NotLeaderOrFollower;
            partition.LeaderId = known.LeaderId;
            partition.LeaderEpoch = known.Epoch;
        }
        else
        {
            partition.LeaderId = quorum.LeaderId;
            partition.LeaderEpoch = quorum.LeaderEpoch;
            partition.HighWatermark = quorum.HighWatermark;
            partition.CurrentVoters = quorum.Voters.Select(State).ToList();
            partition.Observers = quorum.Observers.Select(State).ToList();
        }
        return new W.DescribeQuorumResponse
        {
            ErrorMessage = null,
            Topics = [new() { TopicName = KafkaRaftCodec.MetadataTopic, Partitions = [partition] }],
        };
    }

    private static W.DescribeQuorumResponse.ReplicaState State(ReplicaInfo r) => new()
    {
        ReplicaId = r.ReplicaId,
        LogEndOffset = r.LogEndOffset,
        LastFetchTimestamp = r.LastFetchTimestamp,
        LastCaughtUpTimestamp = r.LastCaughtUpTimestamp,
    };
}
