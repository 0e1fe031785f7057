using Broker.Groups;
using Broker.Hosting;
using Broker.Log;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>OffsetCommit: each partition gets its own error; the commit is acknowledged once it is in __consumer_offsets.</summary>
public sealed class OffsetCommitHandler(BrokerServices services) : ApiHandler<OffsetCommitRequest, OffsetCommitResponse>
{
    public override ApiKey Key => ApiKey.OffsetCommit;

    protected override ValueTask<OffsetCommitResponse?> HandleAsync(RequestContext context, OffsetCommitRequest request, CancellationToken cancel)
    {
        var version = context.ApiVersion;
        var offsets = request.Topics.SelectMany(t => t.Partitions.Select(p => (
            new TopicPartition(t.Name, p.PartitionIndex), p.CommittedOffset, version >= 6 ? p.CommittedLeaderEpoch : -1, p.CommittedMetadata))).ToList();
        var commit = new OffsetCommitParams(request.GroupId, request.GenerationIdOrMemberEpoch, request.MemberId,
            version >= 7 ? request.GroupInstanceId : null, version <= 4 ? request.RetentionTimeMs : -1, offsets);
        var errors = services.Groups.CommitOffsets(commit);
        var response = new OffsetCommitResponse();
        var i = 0;
        foreach (var topic in request.Topics)
        {
            var result = new OffsetCommitResponse.OffsetCommitResponseTopic { Name = topic.Name };
            foreach (var partition in topic.Partitions)
                result.Partitions.Add(new OffsetCommitResponse.OffsetCommitResponsePartition
                {
                    PartitionIndex = partition.PartitionIndex, ErrorCode = (short)errors[i++],
                });
            response.Topics.Add(result);
        }
        return ValueTask.FromResult<OffsetCommitResponse?>(response);
    }
}
