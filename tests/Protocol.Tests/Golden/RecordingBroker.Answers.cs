using System.Collections.Concurrent;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;

namespace Broker.Protocol.Tests.Golden;

internal sealed partial class RecordingBroker
{
    private const short NoError = 0;
    private const short OffsetOutOfRange = 1;
    private const short UnknownTopicOrPartition = 3;
    private const short UnsupportedVersion = 35;
    private const short UnknownTopicId = 100;

    /// <summary>Kafka's sentinel timestamps in ListOffsets.</summary>
    private const long LatestTimestamp = -1;

    private readonly ConcurrentDictionary<string, Uuid> _topics = new();
    private int _generation;

    /// <param name="Response">The whole response frame, or null where Kafka sends none (acks=0).</param>
    /// <param name="Delay">How long a real broker would hold the request first (an empty fetch).</param>
    private sealed record Answered(byte[]? Response, TimeSpan Delay);

    private Uuid KnowTopic(string name) => _topics.GetOrAdd(name, _ => Uuid.Random());

    private string? TopicNamed(Uuid id) => _topics.FirstOrDefault(t => t.Value == id).Key;

    /// <returns>Null to close the connection: the request could not be decoded or answered.</returns>
    private Answered? Answer(int connection, byte[] frame)
    {
        short apiKey = GoldenFrame.ApiKeyOf(frame);
        short version = GoldenFrame.VersionOf(frame);
        int correlationId = GoldenFrame.CorrelationIdOf(frame);
        var api = GoldenFrame.FindApi(apiKey);
        if (api is null)
        {
            _faults.Enqueue($"connection {connection}: unknown api key {apiKey}; closing");
            return null;
        }
        // KIP-511: a client newer than us must still learn our versions, so this one answer comes at
        // v0, whose layout every version of the client can read.
        if (api.Key == ApiKey.ApiVersions && !api.Supports(version))
        {
            Capture(new CapturedRequest(connection, api.Key, version, correlationId, null, frame));
            return new Answered(Respond(api, correlationId, ApiVersions(UnsupportedVersion), 0), TimeSpan.Zero);
        }

        DecodedFrame request;
        try
        {
            request = GoldenFrame.Decode(frame);
        }
        catch (ProtocolException e)
        {
            _faults.Enqueue($"connection {connection}: {api.Name} v{version} does not decode: {e.Message}; closing");
            return null;
        }
        Capture(new CapturedRequest(connection, api.Key, version, correlationId, request.Header.ClientId, frame));

        if (request.Body is ProduceRequest { Acks: 0 })
            return new Answered(null, TimeSpan.Zero);
        var delay = TimeSpan.Zero;
        IApiMessage? response = request.Body switch
        {
            ApiVersionsRequest => ApiVersions(NoError),
            MetadataRequest metadata => Metadata(metadata),
            ProduceRequest produce => Produce(produce),
            ListOffsetsRequest listOffsets => ListOffsets(listOffsets),
            FetchRequest fetch => Fetch(fetch, version, out delay),
            FindCoordinatorRequest findCoordinator => FindCoordinator(findCoordinator, version),
            JoinGroupRequest join => JoinGroup(join, request.Header.ClientId),
            SyncGroupRequest sync => SyncGroup(sync),
            HeartbeatRequest => new HeartbeatResponse(),
            OffsetFetchRequest offsetFetch => OffsetFetch(offsetFetch, version),
            OffsetCommitRequest offsetCommit => OffsetCommit(offsetCommit),
            LeaveGroupRequest leave => LeaveGroup(leave),
            _ => null,
        };
        if (response is null)
        {
            _faults.Enqueue($"connection {connection}: no fake answer for {api.Name}; closing");
            return null;
        }
        return new Answered(Respond(api, correlationId, response, version), delay);
    }

    private static byte[] Respond(ApiDescriptor api, int correlationId, IApiMessage body, short version) =>
        GoldenFrame.Encode(new ResponseHeader { CorrelationId = correlationId }, api.ResponseHeaderVersion(version), body, version);

    private static ApiVersionsResponse ApiVersions(short errorCode) => new()
    {
        ErrorCode = errorCode,
        ApiKeys = ApiMessages.All.Select(api => new ApiVersionsResponse.ApiVersion
        {
            ApiKey = (short)api.Key,
            MinVersion = AdvertisedLowestVersion(api),
            MaxVersion = api.HighestVersion,
        }).ToList(),
    };

    /// <summary>
    /// librdkafka before 2.11 compresses only when the broker's Produce range covers v0 (KAFKA-18659),
    /// so like the broker we claim it; clients negotiate their highest common version, far above.
    /// </summary>
    private static short AdvertisedLowestVersion(ApiDescriptor api) =>
        api.Key is ApiKey.Produce ? (short)0 : api.LowestVersion;

    private MetadataResponse Metadata(MetadataRequest request)
    {
        var response = new MetadataResponse
        {
            Brokers = [new MetadataResponse.MetadataResponseBroker { NodeId = 0, Host = Host, Port = Port }],
            ClusterId = "golden-cluster",
            ControllerId = 0,
        };
        if (request.Topics is null)
        {
            foreach (var (name, id) in _topics.OrderBy(t => t.Key, StringComparer.Ordinal))
                response.Topics.Add(TopicMetadata(name, id));
            return response;
        }
        foreach (var topic in request.Topics)
        {
            var name = topic.Name ?? TopicNamed(topic.TopicId);
            response.Topics.Add(name is null
                ? new MetadataResponse.MetadataResponseTopic { ErrorCode = UnknownTopicId, Name = null, TopicId = topic.TopicId }
                : TopicMetadata(name, KnowTopic(name)));
        }
        return response;
    }

    private static MetadataResponse.MetadataResponseTopic TopicMetadata(string name, Uuid id) => new()
    {
        Name = name,
        TopicId = id,
        Partitions =
        [
            new MetadataResponse.MetadataResponsePartition
            {
                PartitionIndex = 0, LeaderId = 0, LeaderEpoch = 0, ReplicaNodes = [0], IsrNodes = [0],
            },
        ],
    };

    private static ProduceResponse Produce(ProduceRequest request) => new()
    {
        Responses = request.TopicData.Select(topic => new ProduceResponse.TopicProduceResponse
        {
            Name = topic.Name,
            PartitionResponses = topic.PartitionData.Select(partition => new ProduceResponse.PartitionProduceResponse
            {
                Index = partition.Index, BaseOffset = 0, LogStartOffset = 0,
            }).ToList(),
        }).ToList(),
    };

    private ListOffsetsResponse ListOffsets(ListOffsetsRequest request) => new()
    {
        Topics = request.Topics.Select(topic => new ListOffsetsResponse.ListOffsetsTopicResponse
        {
            Name = topic.Name,
            Partitions = topic.Partitions.Select(partition => new ListOffsetsResponse.ListOffsetsPartitionResponse
            {
                PartitionIndex = partition.PartitionIndex,
                ErrorCode = partition.PartitionIndex == 0 ? NoError : UnknownTopicOrPartition,
                // Latest is the log end; earliest and any real timestamp land on the first record,
                // which every canned timestamp follows.
                Offset = partition.Timestamp == LatestTimestamp ? FetchEndOffset : 0,
                LeaderEpoch = 0,
            }).ToList(),
        }).ToList(),
    };

    private FetchResponse Fetch(FetchRequest request, short version, out TimeSpan delay)
    {
        var response = new FetchResponse();
        bool anyRecords = false;
        foreach (var topic in request.Topics)
        {
            // Topic ids replace names from Fetch v13 on.
            var name = version >= 13 ? TopicNamed(topic.TopicId) : _topics.ContainsKey(topic.Topic) ? topic.Topic : null;
            var topicResponse = new FetchResponse.FetchableTopicResponse { Topic = topic.Topic, TopicId = topic.TopicId };
            foreach (var partition in topic.Partitions)
            {
                var data = new FetchResponse.PartitionData
                {
                    PartitionIndex = partition.Partition,
                    HighWatermark = FetchEndOffset,
                    LastStableOffset = FetchEndOffset,
                    LogStartOffset = 0,
                    // read_committed consumers expect a list, read_uncommitted ones get null like from Kafka.
                    AbortedTransactions = request.IsolationLevel == 1 ? [] : null,
                    Records = ReadOnlyMemory<byte>.Empty,
                };
                if (name is null || partition.Partition != 0)
                    data.ErrorCode = version >= 13 ? UnknownTopicId : UnknownTopicOrPartition;
                else if (partition.FetchOffset < 0 || partition.FetchOffset > FetchEndOffset)
                    data.ErrorCode = OffsetOutOfRange;
                else if (partition.FetchOffset < FetchEndOffset)
                {
                    // The whole batch even when the offset falls inside it: clients skip what they
                    // did not ask for, exactly as with a real broker's batch-aligned reads.
                    data.Records = FetchBatch;
                    anyRecords = true;
                }
                topicResponse.Partitions.Add(data);
            }
            response.Responses.Add(topicResponse);
        }
        delay = anyRecords ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Clamp(request.MaxWaitMs, 0, Options.EmptyFetchWaitCap.TotalMilliseconds));
        return response;
    }

    private FindCoordinatorResponse FindCoordinator(FindCoordinatorRequest request, short version)
    {
        // v4 batched the keys; before that one key and the coordinator at the top level.
        if (version < 4)
            return new FindCoordinatorResponse { NodeId = 0, Host = Host, Port = Port, ErrorMessage = null };
        return new FindCoordinatorResponse
        {
            Coordinators = request.CoordinatorKeys.Select(key => new FindCoordinatorResponse.Coordinator
            {
                Key = key, NodeId = 0, Host = Host, Port = Port, ErrorMessage = null,
            }).ToList(),
        };
    }

    /// <summary>Every joiner forms a group of one and leads it, so it computes its own assignment.</summary>
    private JoinGroupResponse JoinGroup(JoinGroupRequest request, string? clientId)
    {
        var memberId = string.IsNullOrEmpty(request.MemberId) ? $"{clientId ?? "member"}-{Guid.NewGuid():N}" : request.MemberId;
        var protocol = request.Protocols.FirstOrDefault();
        return new JoinGroupResponse
        {
            GenerationId = Interlocked.Increment(ref _generation),
            ProtocolType = request.ProtocolType,
            ProtocolName = protocol?.Name,
            Leader = memberId,
            MemberId = memberId,
            Members =
            [
                new JoinGroupResponse.JoinGroupResponseMember
                {
                    MemberId = memberId, GroupInstanceId = request.GroupInstanceId, Metadata = protocol?.Metadata ?? [],
                },
            ],
        };
    }

    private static SyncGroupResponse SyncGroup(SyncGroupRequest request) => new()
    {
        ProtocolType = request.ProtocolType,
        ProtocolName = request.ProtocolName,
        Assignment = request.Assignments.FirstOrDefault(a => a.MemberId == request.MemberId)?.Assignment ?? [],
    };

    /// <summary>Nothing is ever committed as far as a new consumer is concerned: offset -1 everywhere.</summary>
    private static OffsetFetchResponse OffsetFetch(OffsetFetchRequest request, short version)
    {
        if (version < 8)
        {
            return new OffsetFetchResponse
            {
                Topics = (request.Topics ?? []).Select(topic => new OffsetFetchResponse.OffsetFetchResponseTopic
                {
                    Name = topic.Name,
                    Partitions = topic.PartitionIndexes.Select(p => new OffsetFetchResponse.OffsetFetchResponsePartition
                    {
                        PartitionIndex = p, CommittedOffset = -1,
                    }).ToList(),
                }).ToList(),
            };
        }
        return new OffsetFetchResponse
        {
            Groups = request.Groups.Select(group => new OffsetFetchResponse.OffsetFetchResponseGroup
            {
                GroupId = group.GroupId,
                Topics = (group.Topics ?? []).Select(topic => new OffsetFetchResponse.OffsetFetchResponseTopics
                {
                    Name = topic.Name,
                    Partitions = topic.PartitionIndexes.Select(p => new OffsetFetchResponse.OffsetFetchResponsePartitions
                    {
                        PartitionIndex = p, CommittedOffset = -1,
                    }).ToList(),
                }).ToList(),
            }).ToList(),
        };
    }

    private static OffsetCommitResponse OffsetCommit(OffsetCommitRequest request) => new()
    {
        Topics = request.Topics.Select(topic => new OffsetCommitResponse.OffsetCommitResponseTopic
        {
            Name = topic.Name,
            Partitions = topic.Partitions.Select(p => new OffsetCommitResponse.OffsetCommitResponsePartition
            {
                PartitionIndex = p.PartitionIndex,
            }).ToList(),
        }).ToList(),
    };

    private static LeaveGroupResponse LeaveGroup(LeaveGroupRequest request) => new()
    {
        Members = request.Members.Select(m => new LeaveGroupResponse.MemberResponse
        {
            MemberId = m.MemberId, GroupInstanceId = m.GroupInstanceId,
        }).ToList(),
    };
}
