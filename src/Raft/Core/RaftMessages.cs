using Broker.Protocol;

namespace Broker.Raft.Core;

/// <summary>
/// The body of a Raft RPC. Each type mirrors the fields of Kafka's message of the same name for
/// the single <c>__cluster_metadata-0</c> partition; <c>KafkaRaftCodec</c> translates to the wire.
/// </summary>
public abstract record RaftRpc;

/// <summary>An RPC between two nodes.</summary>
public sealed record RaftMessage(int From, int To, RaftRpc Body);

/// <summary>VoteRequest. A pre-vote (KIP-996, VoteRequest v2 <c>PreVote</c>) asks for <see cref="CandidateEpoch"/> without anyone bumping to it.</summary>
public sealed record VoteRequest(int CandidateEpoch, int CandidateId, int LastOffsetEpoch, long LastOffset, bool PreVote) : RaftRpc;

/// <summary>VoteResponse. <see cref="PreVote"/> is the request's flag, carried along by the transport that pairs them.</summary>
public sealed record VoteResponse(ErrorCode Error, int LeaderId, int LeaderEpoch, bool VoteGranted, bool PreVote) : RaftRpc;

public sealed record BeginQuorumEpochRequest(int LeaderId, int LeaderEpoch) : RaftRpc;

public sealed record BeginQuorumEpochResponse(ErrorCode Error, int LeaderId, int LeaderEpoch) : RaftRpc;

/// <summary>EndQuorumEpochRequest: the leader resigns; <see cref="PreferredSuccessors"/> most caught-up first.</summary>
public sealed record EndQuorumEpochRequest(int LeaderId, int LeaderEpoch, IReadOnlyList<int> PreferredSuccessors) : RaftRpc;

public sealed record EndQuorumEpochResponse(ErrorCode Error, int LeaderId, int LeaderEpoch) : RaftRpc;

/// <summary>Fetch for the metadata partition: <c>ReplicaState.ReplicaId</c>, <c>CurrentLeaderEpoch</c>, <c>FetchOffset</c>, <c>LastFetchedEpoch</c>.</summary>
public sealed record FetchRequest(int ReplicaId, int CurrentLeaderEpoch, long FetchOffset, int LastFetchedEpoch) : RaftRpc;

/// <summary>
/// Fetch response for the partition: <c>HighWatermark</c>, <c>LogStartOffset</c>, <c>DivergingEpoch</c>,
/// <c>CurrentLeader</c>, <c>SnapshotId</c> and the records. <see cref="FetchOffset"/> and
/// <see cref="LastFetchedEpoch"/> echo the request (the transport pairs them) so a late or
/// duplicated response is recognised.
/// </summary>
public sealed record FetchResponse(
    ErrorCode Error,
    LeaderAndEpoch CurrentLeader,
    long HighWatermark,
    long LogStartOffset,
    EpochEndOffset? DivergingEpoch,
    SnapshotId? SnapshotId,
    IReadOnlyList<RaftBatch> Batches,
    long FetchOffset,
    int LastFetchedEpoch) : RaftRpc;

public sealed record FetchSnapshotRequest(int ReplicaId, int CurrentLeaderEpoch, SnapshotId SnapshotId, long Position) : RaftRpc;

/// <summary>FetchSnapshot response: a chunk of the snapshot file at <see cref="Position"/> of <see cref="Size"/> bytes.</summary>
public sealed record FetchSnapshotResponse(
    ErrorCode Error,
    LeaderAndEpoch CurrentLeader,
    SnapshotId SnapshotId,
    long Size,
    long Position,
    byte[] Bytes) : RaftRpc;
