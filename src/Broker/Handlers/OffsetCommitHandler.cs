using Broker.Groups;
using Broker.Hosting;
using Broker.Log;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>
/// OffsetCommit: each partition gets its own error; the commit is acknowledged once it is in
/// __consumer_offsets and replicated to that partition's ISR (<see cref="GroupReplication"/>):
/// a committed offset survives its coordinator's death.
/// </summary>
public sealed class OffsetCommitHandler(BrokerServices services) : ApiHandler<OffsetCommitRequest, OffsetCommitResponse>
{
    public override ApiKey Key => ApiKey.OffsetCommit;

    protected override async ValueTask<OffsetCommitResponse?> HandleAsync(RequestContext context, OffsetCommitRequest request, CancellationToken cancel)
    {
        var version = context.ApiVersion;
        var offsets = request.Topics.SelectMany(t => t.Partitions.Select(p => (
            new TopicPartition(t.Name, p.PartitionIndex), p.CommittedOffset, version >= 6 ? p.CommittedLeaderEpoch : -1, p.CommittedMetadata))).ToList();
        var errors = GroupOffsetPartitions.Apply(services.Metadata.Current, offsets, o => o.Item1, known =>
            // Nothing left to commit: the coordinator is not asked, so no group is created for it.
            known.Count == 0 ? [] : services.Groups.CommitOffsets(new OffsetCommitParams(request.GroupId, request.GenerationIdOrMemberEpoch,
                request.MemberId, version >= 7 ? request.GroupInstanceId : null, version <= 4 ? request.RetentionTimeMs : -1, known)));
        if (errors.Contains(ErrorCode.None) && await GroupReplication.WaitAsync(services, request.GroupId, cancel).ConfigureAwait(false) is var replicated
            && replicated != ErrorCode.None)
            errors = errors.Select(e => e == ErrorCode.None ? GroupLogErrors.ForOffsetCommit(replicated) : e).ToList();
        var response = new OffsetCommitResponse();
        var i = 0;
        foreach (var topic in request.Topics)
            response.Topics.Add(new OffsetCommitResponse.OffsetCommitResponseTopic
            {
                Name = topic.Name,
                Partitions = topic.Partitions.Select(p => new OffsetCommitResponse.OffsetCommitResponsePartition
                {
                    PartitionIndex = p.PartitionIndex, ErrorCode = (short)errors[i++],
                }).ToList(),
            });
        return response;
    }
}
