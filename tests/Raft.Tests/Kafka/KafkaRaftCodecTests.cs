using Broker.Protocol;
using Broker.Protocol.Wire;
using Broker.Raft.Core;
using Broker.Raft.Kafka;
using W = Broker.Protocol.Messages;

namespace Broker.Raft.Tests.Kafka;

public class KafkaRaftCodecTests
{
    private readonly KafkaRaftCodec _codec = new("cluster-1") { RecordTimestamp = 1_700_000_000_000 };

    /// <summary>Writes the message at <paramref name="version"/> and reads it back as Kafka's peer would.</summary>
    private static T OverTheWire<T>(IApiMessage message, short version) where T : IApiMessage, new()
    {
        using var buffer = new PooledBufferWriter();
        message.Write(new KafkaWriter(buffer), version);
        var reader = new KafkaReader(buffer.ToArray());
        var copy = new T();
        copy.Read(ref reader, version);
        return copy;
    }

    public static TheoryData<RaftRpc, short> Requests() => new()
    {
        { new VoteRequest(7, 2, 6, 1234, PreVote: false), 0 },
        { new VoteRequest(7, 2, 6, 1234, PreVote: false), 1 },
        { new VoteRequest(7, 2, 6, 1234, PreVote: false), 2 },
        { new VoteRequest(7, 2, 6, 1234, PreVote: true), 2 },
        { new BeginQuorumEpochRequest(3, 9), 0 },
        { new BeginQuorumEpochRequest(3, 9), 1 },
        { new EndQuorumEpochRequest(3, 9, [2, 1]), 0 },
        { new EndQuorumEpochRequest(3, 9, [2, 1]), 1 },
        { new FetchRequest(2, 9, 100, 8), 13 },
        { new FetchRequest(2, 9, 100, 8), 17 },
        { new FetchSnapshotRequest(2, 9, new SnapshotId(500, 7), 4096), 0 },
        { new FetchSnapshotRequest(2, 9, new SnapshotId(500, 7), 4096), 1 },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Requests_round_trip_through_kafka_messages(RaftRpc request, short version)
    {
        var wire = _codec.ToWire(request);
        var read = request switch
        {
            VoteRequest => _codec.FromWireRequest(OverTheWire<W.VoteRequest>(wire, version)),
            BeginQuorumEpochRequest => _codec.FromWireRequest(OverTheWire<W.BeginQuorumEpochRequest>(wire, version)),
            EndQuorumEpochRequest => _codec.FromWireRequest(OverTheWire<W.EndQuorumEpochRequest>(wire, version)),
            FetchRequest => _codec.FromWireRequest(OverTheWire<W.FetchRequest>(wire, version)),
            FetchSnapshotRequest => _codec.FromWireRequest(OverTheWire<W.FetchSnapshotRequest>(wire, version)),
            _ => null,
        };
        Assert.Equal(Show(request), Show(read!));
    }

    public static TheoryData<RaftRpc, RaftRpc, short> Responses() => new()
    {
        { new VoteRequest(7, 2, 6, 1234, PreVote: true), new VoteResponse(ErrorCode.None, 3, 6, true, PreVote: true), 1 },
        { new VoteRequest(7, 2, 6, 1234, false), new VoteResponse(ErrorCode.FencedLeaderEpoch, -1, 8, false, false), 0 },
        { new VoteRequest(7, 2, 6, 1234, PreVote: true), new VoteResponse(ErrorCode.None, -1, 6, true, PreVote: true), 2 },
        { new BeginQuorumEpochRequest(3, 9), new BeginQuorumEpochResponse(ErrorCode.None, 3, 9), 1 },
        { new EndQuorumEpochRequest(3, 9, [1]), new EndQuorumEpochResponse(ErrorCode.None, 3, 9), 1 },
        {
            new FetchRequest(2, 9, 100, 8),
            new FetchResponse(ErrorCode.None, new LeaderAndEpoch(1, 9), 99, 10, null, null,
                [new RaftBatch(100, 9, RaftBatchKind.LeaderChange, [new LeaderChangeRecord(1, [1, 2, 3], [1, 3]).Encode()]),
                 new RaftBatch(101, 9, RaftBatchKind.Data, [[1, 2], [], [3]])], 100, 8),
            17
        },
        { new FetchRequest(2, 9, 100, 8), new FetchResponse(ErrorCode.None, new LeaderAndEpoch(1, 9), 99, 10, new EpochEndOffset(7, 90), null, [], 100, 8), 13 },
        { new FetchRequest(2, 9, 0, 0), new FetchResponse(ErrorCode.None, new LeaderAndEpoch(1, 9), 99, 50, null, new SnapshotId(50, 4), [], 0, 0), 17 },
        { new FetchRequest(2, 8, 0, 0), new FetchResponse(ErrorCode.FencedLeaderEpoch, new LeaderAndEpoch(1, 9), 99, 0, null, null, [], 0, 0), 17 },
        {
            new FetchSnapshotRequest(2, 9, new SnapshotId(50, 4), 4),
            new FetchSnapshotResponse(ErrorCode.None, new LeaderAndEpoch(1, 9), new SnapshotId(50, 4), 10, 4, [5, 6, 7, 8]), 1
        },
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public void Responses_round_trip_through_kafka_messages(RaftRpc request, RaftRpc response, short version)
    {
        var wire = _codec.ToWireResponse(response);
        IApiMessage read = response switch
        {
            VoteResponse => OverTheWire<W.VoteResponse>(wire, version),
            BeginQuorumEpochResponse => OverTheWire<W.BeginQuorumEpochResponse>(wire, version),
            EndQuorumEpochResponse => OverTheWire<W.EndQuorumEpochResponse>(wire, version),
            FetchResponse => OverTheWire<W.FetchResponse>(wire, version),
            _ => OverTheWire<W.FetchSnapshotResponse>(wire, version),
        };
        Assert.Equal(Show(response), Show(_codec.FromWireResponse(read, request)!));
    }

    [Fact]
    public void Pre_vote_needs_vote_v2_and_is_lost_below_it()
    {
        Assert.True(KafkaRaftCodec.CarriesPreVote);
        var wire = _codec.ToWire(new VoteRequest(7, 2, 6, 1234, PreVote: true));
        Assert.True(((W.VoteRequest)wire).Topics[0].Partitions[0].PreVote);
        var atV2 = Assert.IsType<VoteRequest>(_codec.FromWireRequest(OverTheWire<W.VoteRequest>(wire, KafkaRaftCodec.PreVoteVersion)));
        Assert.True(atV2.PreVote);
        // v1 has no PreVote field: the same request reads back as a real vote.
        var atV1 = Assert.IsType<VoteRequest>(_codec.FromWireRequest(OverTheWire<W.VoteRequest>(wire, 1)));
        Assert.False(atV1.PreVote);
    }

    [Fact]
    public void Fetch_records_are_kafka_record_batches_with_the_epoch_and_a_leader_change_control_record()
    {
        var batches = new List<RaftBatch>
        {
            new(0, 4, RaftBatchKind.LeaderChange, [new LeaderChangeRecord(1, [1, 2, 3], [1, 2]).Encode()]),
            new(1, 4, RaftBatchKind.Data, [[9, 9]]),
        };
        var bytes = RaftRecordCodec.Encode(batches, 1000);
        var header = new Broker.Protocol.Records.RecordBatchHeader(bytes);
        Assert.True(header.IsControl);
        Assert.Equal(4, header.PartitionLeaderEpoch);
        Assert.Equal(0, header.BaseOffset);
        Assert.Equal(Show(batches), Show(RaftRecordCodec.Decode(bytes)));
    }

    [Fact]
    public void A_request_for_another_cluster_or_partition_is_not_ours()
    {
        var other = new KafkaRaftCodec("other");
        Assert.Null(_codec.FromWireRequest(other.ToWire(new BeginQuorumEpochRequest(1, 1))));
        var fetch = (W.FetchRequest)_codec.ToWire(new FetchRequest(2, 1, 0, 0));
        fetch.Topics[0].Partitions[0].Partition = 1;
        Assert.Null(_codec.FromWireRequest(fetch));
    }

    [Fact]
    public void Describe_quorum_reports_voters_and_observers_like_kafka()
    {
        var request = new W.DescribeQuorumRequest { Topics = [new() { TopicName = "__cluster_metadata", Partitions = [new()] }] };
        var quorum = new QuorumInfo(1, 5, 42,
            [new ReplicaInfo(1, 42, 1000, 1000), new ReplicaInfo(2, 40, 990, 950)],
            [new ReplicaInfo(7, 30, 980, -1)]);
        var response = OverTheWire<W.DescribeQuorumResponse>(DescribeQuorumBuilder.Build(request, quorum, new LeaderAndEpoch(1, 5)), 1);
        var p = response.Topics.Single().Partitions.Single();
        Assert.Equal((0, 1, 5, 42L), (p.ErrorCode, p.LeaderId, p.LeaderEpoch, p.HighWatermark));
        Assert.Equal([(1, 42L, 1000L, 1000L), (2, 40L, 990L, 950L)], p.CurrentVoters.Select(v => (v.ReplicaId, v.LogEndOffset, v.LastFetchTimestamp, v.LastCaughtUpTimestamp)));
        Assert.Equal(7, p.Observers.Single().ReplicaId);

        var notLeader = DescribeQuorumBuilder.Build(request, null, new LeaderAndEpoch(1, 5));
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, notLeader.Topics[0].Partitions[0].ErrorCode);
    }

    /// <summary>Records hold lists, which compare by reference; compare a rendering instead.</summary>
    private static string Show(object value) => value switch
    {
        IEnumerable<RaftBatch> batches => string.Join(";", batches.Select(Show)),
        RaftBatch b => $"{b.BaseOffset}/{b.Epoch}/{b.Kind}:[{string.Join(",", b.Records.Select(Convert.ToHexString))}]",
        FetchResponse f => $"{f with { Batches = [] }} batches {Show(f.Batches)}",
        FetchSnapshotResponse s => $"{s with { Bytes = [] }} bytes {Convert.ToHexString(s.Bytes)}",
        EndQuorumEpochRequest e => $"{e.LeaderId} {e.LeaderEpoch} [{string.Join(",", e.PreferredSuccessors)}]",
        _ => value.ToString()!,
    };
}
