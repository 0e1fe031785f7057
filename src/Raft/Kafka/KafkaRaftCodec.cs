using Broker.Protocol;
using Broker.Protocol.Wire;
using Broker.Raft.Core;
using W = Broker.Protocol.Messages;

namespace Broker.Raft.Kafka;

/// <summary>
/// Translates the core's RPCs to and from Kafka's generated messages for the one partition
/// <c>__cluster_metadata-0</c>. Responses are read back with the core request they answer, which
/// supplies what Kafka's responses leave to the correlation id (the pre-vote flag, the fetch position).
/// </summary>
public sealed class KafkaRaftCodec(string clusterId)
{
    public const string MetadataTopic = "__cluster_metadata";
    public const int MetadataPartition = 0;

    /// <summary>The first VoteRequest version that carries KIP-996's PreVote flag.</summary>
    public const short PreVoteVersion = 2;

    /// <summary>
    /// Whether the VoteRequest this protocol build speaks carries the PreVote flag; without it nodes
    /// talking through this codec campaign without pre-vote.
    /// </summary>
    public static bool CarriesPreVote => W.VoteRequest.HighestSupportedVersion >= PreVoteVersion;

    public string ClusterId { get; } = clusterId;

    /// <summary>A timestamp for records written into fetch responses (Kafka keeps the producer's).</summary>
    public long RecordTimestamp { get; set; } = -1;

    // ---- requests ----

    public IApiMessage ToWire(RaftRpc body) => body switch
    {
        VoteRequest r => new W.VoteRequest
        {
            ClusterId = ClusterId,
            Topics = [new() { TopicName = MetadataTopic, Partitions = [new()
            {
                PartitionIndex = MetadataPartition, CandidateEpoch = r.CandidateEpoch, CandidateId = r.CandidateId,
                LastOffsetEpoch = r.LastOffsetEpoch, LastOffset = r.LastOffset, PreVote = r.PreVote,
            }] }],
        },
        BeginQuorumEpochRequest r => new W.BeginQuorumEpochRequest
        {
            ClusterId = ClusterId,
            Topics = [new() { TopicName = MetadataTopic, Partitions = [new() { PartitionIndex = MetadataPartition, LeaderId = r.LeaderId, LeaderEpoch = r.LeaderEpoch }] }],
        },
        EndQuorumEpochRequest r => new W.EndQuorumEpochRequest
        {
            ClusterId = ClusterId,
            Topics = [new() { TopicName = MetadataTopic, Partitions = [new()
            {
                PartitionIndex = MetadataPartition, LeaderId = r.LeaderId, LeaderEpoch = r.LeaderEpoch,
                PreferredSuccessors = r.PreferredSuccessors.ToList(),
                PreferredCandidates = r.PreferredSuccessors.Select(id => new W.EndQuorumEpochRequest.ReplicaInfo { CandidateId = id }).ToList(),
            }] }],
        },
        FetchRequest r => new W.FetchRequest
        {
            ClusterId = ClusterId,
            ReplicaId = r.ReplicaId,
            ReplicaState = new() { ReplicaId = r.ReplicaId },
            MaxWaitMs = 500,
            MinBytes = 0,
            Topics = [new() { Topic = MetadataTopic, TopicId = Uuid.MetadataTopicId, Partitions = [new()
            {
                Partition = MetadataPartition, CurrentLeaderEpoch = r.CurrentLeaderEpoch, FetchOffset = r.FetchOffset,
                LastFetchedEpoch = r.LastFetchedEpoch, PartitionMaxBytes = 8 << 20,
            }] }],
        },
        FetchSnapshotRequest r => new W.FetchSnapshotRequest
        {
            ClusterId = ClusterId,
            ReplicaId = r.ReplicaId,
            Topics = [new() { Name = MetadataTopic, Partitions = [new()
            {
                Partition = MetadataPartition, CurrentLeaderEpoch = r.CurrentLeaderEpoch, Position = r.Position,
                SnapshotId = new() { EndOffset = r.SnapshotId.EndOffset, Epoch = r.SnapshotId.Epoch },
            }] }],
        },
        _ => ToWireResponse(body),
    };

    /// <summary>
    /// Reads an inbound request for the metadata partition (a VoteRequest below v2 reads as a real vote).
    /// Null when the request is not for <c>__cluster_metadata-0</c> or names another cluster.
    /// </summary>
    public RaftRpc? FromWireRequest(IApiMessage message, int fetchReplicaIdFallback = -1)
    {
        switch (message)
        {
            case W.VoteRequest m when ClusterMatches(m.ClusterId) && Single(m.Topics, t => t.TopicName, t => t.Partitions) is { } p:
                return new VoteRequest(p.CandidateEpoch, p.CandidateId, p.LastOffsetEpoch, p.LastOffset, p.PreVote);
            case W.BeginQuorumEpochRequest m when ClusterMatches(m.ClusterId) && Single(m.Topics, t => t.TopicName, t => t.Partitions) is { } p:
                return new BeginQuorumEpochRequest(p.LeaderId, p.LeaderEpoch);
            case W.EndQuorumEpochRequest m when ClusterMatches(m.ClusterId) && Single(m.Topics, t => t.TopicName, t => t.Partitions) is { } p:
                return new EndQuorumEpochRequest(p.LeaderId, p.LeaderEpoch,
                    p.PreferredCandidates.Count > 0 ? p.PreferredCandidates.Select(c => c.CandidateId).ToArray() : p.PreferredSuccessors.ToArray());
            case W.FetchRequest m when ClusterMatches(m.ClusterId):
                var topic = m.Topics.Count == 1 ? m.Topics[0] : null;
                if (topic is null || (topic.Topic != MetadataTopic && topic.TopicId != Uuid.MetadataTopicId) || topic.Partitions.Count != 1
                    || topic.Partitions[0].Partition != MetadataPartition)
                    return null;
                var fp = topic.Partitions[0];
                var replica = m.ReplicaState.ReplicaId >= 0 ? m.ReplicaState.ReplicaId : m.ReplicaId >= 0 ? m.ReplicaId : fetchReplicaIdFallback;
                return new FetchRequest(replica, fp.CurrentLeaderEpoch, fp.FetchOffset, fp.LastFetchedEpoch);
            case W.FetchSnapshotRequest m when ClusterMatches(m.ClusterId) && Single(m.Topics, t => t.Name, t => t.Partitions) is { } p
                                               && p.Partition == MetadataPartition:
                return new FetchSnapshotRequest(m.ReplicaId, p.CurrentLeaderEpoch, new SnapshotId(p.SnapshotId.EndOffset, p.SnapshotId.Epoch), p.Position);
            default:
                return null;
        }
    }

    // ---- responses ----

    public IApiMessage ToWireResponse(RaftRpc body) => body switch
    {
        VoteResponse r => new W.VoteResponse
        {
            Topics = [new() { TopicName = MetadataTopic, Partitions = [new()
            {
                PartitionIndex = MetadataPartition, ErrorCode = (short)r.Error, LeaderId = r.LeaderId, LeaderEpoch = r.LeaderEpoch, VoteGranted = r.VoteGranted,
            }] }],
        },
        BeginQuorumEpochResponse r => new W.BeginQuorumEpochResponse
        {
            Topics = [new() { TopicName = MetadataTopic, Partitions = [new() { PartitionIndex = MetadataPartition, ErrorCode = (short)r.Error, LeaderId = r.LeaderId, LeaderEpoch = r.LeaderEpoch }] }],
        },
        EndQuorumEpochResponse r => new W.EndQuorumEpochResponse
        {
            Topics = [new() { TopicName = MetadataTopic, Partitions = [new() { PartitionIndex = MetadataPartition, ErrorCode = (short)r.Error, LeaderId = r.LeaderId, LeaderEpoch = r.LeaderEpoch }] }],
        },
        FetchResponse r => new W.FetchResponse
        {
            Responses = [new() { Topic = MetadataTopic, TopicId = Uuid.MetadataTopicId, Partitions = [new()
            {
                PartitionIndex = MetadataPartition,
                ErrorCode = (short)r.Error,
                HighWatermark = r.HighWatermark,
                LogStartOffset = r.LogStartOffset,
                DivergingEpoch = r.DivergingEpoch is { } d ? new() { Epoch = d.Epoch, EndOffset = d.EndOffset } : new(),
                CurrentLeader = new() { LeaderId = r.CurrentLeader.LeaderId, LeaderEpoch = r.CurrentLeader.Epoch },
                SnapshotId = r.SnapshotId is { } s ? new() { EndOffset = s.EndOffset, Epoch = s.Epoch } : new(),
                Records = r.Batches.Count > 0 ? RaftRecordCodec.Encode(r.Batches, RecordTimestamp) : ReadOnlyMemory<byte>.Empty,
            }] }],
        },
        FetchSnapshotResponse r => new W.FetchSnapshotResponse
        {
            Topics = [new() { Name = MetadataTopic, Partitions = [new()
            {
                Index = MetadataPartition,
                ErrorCode = (short)r.Error,
                SnapshotId = new() { EndOffset = r.SnapshotId.EndOffset, Epoch = r.SnapshotId.Epoch },
                CurrentLeader = new() { LeaderId = r.CurrentLeader.LeaderId, LeaderEpoch = r.CurrentLeader.Epoch },
                Size = r.Size,
                Position = r.Position,
                UnalignedRecords = r.Bytes,
            }] }],
        },
        _ => throw new ArgumentException($"{body.GetType().Name} has no Kafka message", nameof(body)),
    };

    /// <summary>Reads a response to <paramref name="request"/>; null when it carries no partition (a top-level error).</summary>
    public RaftRpc? FromWireResponse(IApiMessage message, RaftRpc request)
    {
        switch (message, request)
        {
            case (W.VoteResponse m, VoteRequest q):
                return Single(m.Topics, t => t.TopicName, t => t.Partitions) is { } vp
                    ? new VoteResponse(Error(vp.ErrorCode, m.ErrorCode), vp.LeaderId, vp.LeaderEpoch, vp.VoteGranted, q.PreVote)
                    : null;
            case (W.BeginQuorumEpochResponse m, BeginQuorumEpochRequest):
                return Single(m.Topics, t => t.TopicName, t => t.Partitions) is { } bp
                    ? new BeginQuorumEpochResponse(Error(bp.ErrorCode, m.ErrorCode), bp.LeaderId, bp.LeaderEpoch) : null;
            case (W.EndQuorumEpochResponse m, EndQuorumEpochRequest):
                return Single(m.Topics, t => t.TopicName, t => t.Partitions) is { } ep
                    ? new EndQuorumEpochResponse(Error(ep.ErrorCode, m.ErrorCode), ep.LeaderId, ep.LeaderEpoch) : null;
            case (W.FetchResponse m, FetchRequest q):
                var topic = m.Responses.Count == 1 ? m.Responses[0] : null;
                if (topic is null || topic.Partitions.Count != 1) return null;
                var p = topic.Partitions[0];
                return new FetchResponse(
                    Error(p.ErrorCode, m.ErrorCode),
                    new LeaderAndEpoch(p.CurrentLeader.LeaderId, p.CurrentLeader.LeaderEpoch),
                    p.HighWatermark,
                    p.LogStartOffset,
                    p.DivergingEpoch.Epoch >= 0 ? new EpochEndOffset(p.DivergingEpoch.Epoch, p.DivergingEpoch.EndOffset) : null,
                    p.SnapshotId.EndOffset >= 0 && p.SnapshotId.Epoch >= 0 ? new SnapshotId(p.SnapshotId.EndOffset, p.SnapshotId.Epoch) : null,
                    p.Records is { Length: > 0 } records ? RaftRecordCodec.Decode(records, allowTruncatedTail: true) : [],
                    q.FetchOffset,
                    q.LastFetchedEpoch);
            case (W.FetchSnapshotResponse m, FetchSnapshotRequest):
                return Single(m.Topics, t => t.Name, t => t.Partitions) is { } sp
                    ? new FetchSnapshotResponse(Error(sp.ErrorCode, m.ErrorCode),
                        new LeaderAndEpoch(sp.CurrentLeader.LeaderId, sp.CurrentLeader.LeaderEpoch),
                        new SnapshotId(sp.SnapshotId.EndOffset, sp.SnapshotId.Epoch), sp.Size, sp.Position, sp.UnalignedRecords.ToArray())
                    : null;
            default:
                return null;
        }
    }

    /// <summary>The answer to a request this node cannot serve (wrong cluster or partition).</summary>
    public IApiMessage ErrorResponse(IApiMessage request, ErrorCode error) => request switch
    {
        W.VoteRequest => new W.VoteResponse { ErrorCode = (short)error },
        W.BeginQuorumEpochRequest => new W.BeginQuorumEpochResponse { ErrorCode = (short)error },
        W.EndQuorumEpochRequest => new W.EndQuorumEpochResponse { ErrorCode = (short)error },
        W.FetchRequest => new W.FetchResponse { ErrorCode = (short)error },
        W.FetchSnapshotRequest => new W.FetchSnapshotResponse { ErrorCode = (short)error },
        W.DescribeQuorumRequest => new W.DescribeQuorumResponse { ErrorCode = (short)error },
        _ => throw new ArgumentException($"{request.GetType().Name} is not a Raft request", nameof(request)),
    };

    private bool ClusterMatches(string? clusterId) => clusterId is null || clusterId == ClusterId;

    private static ErrorCode Error(short partition, short top) => (ErrorCode)(top != 0 ? top : partition);

    private static TPartition? Single<TTopic, TPartition>(List<TTopic> topics, Func<TTopic, string> name, Func<TTopic, List<TPartition>> partitions)
        where TPartition : class
    {
        if (topics.Count != 1 || name(topics[0]) != MetadataTopic) return null;
        var list = partitions(topics[0]);
        return list.Count == 1 ? list[0] : null;
    }
}
