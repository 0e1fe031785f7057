using Broker.Metadata;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Broker.Controller;

/// <summary>
/// AlterPartitionReassignments and ListPartitionReassignments (KIP-455): an operator sets a
/// partition's target replicas (or cancels the move with null). The new replicas start following
/// as soon as the change commits, since brokers host what the image's replicas name; the move
/// completes when the leader reports them in sync (<see cref="IsrChanges"/>).
/// </summary>
public sealed class Reassignments(QuorumController controller, ILogger logger)
{
    public Task<AlterPartitionReassignmentsResponse> AlterAsync(AlterPartitionReassignmentsRequest request, CancellationToken cancel) =>
        controller.RunAsync(image =>
        {
            var records = new List<VersionedRecord>();
            var response = new AlterPartitionReassignmentsResponse { ErrorMessage = null };
            var working = new Dictionary<(Uuid, int), PartitionImage>();
            foreach (var t in request.Topics)
            {
                var result = new AlterPartitionReassignmentsResponse.ReassignableTopicResponse { Name = t.Name };
                response.Responses.Add(result);
                var topic = image.Topic(t.Name);
                foreach (var rp in t.Partitions)
                {
                    var current = topic is null ? null
                        : working.GetValueOrDefault((topic.Id, rp.PartitionIndex)) ?? topic.Partitions.FirstOrDefault(p => p.PartitionId == rp.PartitionIndex);
                    var (error, message, next) = current is null
                        ? (ErrorCode.UnknownTopicOrPartition, "The partition does not exist.", null)
                        : Plan(image, current, rp.Replicas);
                    if (next is not null && PartitionChanges.Diff(topic!.Id, current!, next, Reassignment.RemovesReplicas(current!, next)) is { } change)
                    {
                        records.Add(VersionedRecord.Latest(change));
                        working[(topic.Id, rp.PartitionIndex)] = PartitionChanges.Committed(current!, next, change);
                        logger.LogInformation(rp.Replicas is null
                            ? "Cancelled the reassignment of {Topic}-{Partition}: replicas {Replicas}"
                            : "Reassigning {Topic}-{Partition}: replicas {Replicas}", t.Name, rp.PartitionIndex, string.Join(",", next.Replicas));
                    }
                    result.Partitions.Add(new AlterPartitionReassignmentsResponse.ReassignablePartitionResponse
                    {
                        PartitionIndex = rp.PartitionIndex, ErrorCode = (short)error, ErrorMessage = message,
                    });
                }
            }
            return (records, response);
        }, cancel);

    private static (ErrorCode, string?, PartitionImage?) Plan(MetadataImage image, PartitionImage current, List<int>? target)
    {
        bool Usable(int id) => PartitionLeadership.Usable(image, id);
        if (target is null)
            return current.IsReassigning
                ? (ErrorCode.None, null, Reassignment.Revert(current, Usable))
                : (ErrorCode.NoReassignmentInProgress, "No ongoing reassignment for this partition.", null);
        if (target.Count == 0)
            return (ErrorCode.InvalidReplicaAssignment, "The manual partition assignment includes an empty replica list.", null);
        if (target.Distinct().Count() != target.Count)
            return (ErrorCode.InvalidReplicaAssignment, "The manual partition assignment includes a duplicate replica.", null);
        if (target.FirstOrDefault(id => !image.Brokers.ContainsKey(id), int.MinValue) is var unknown && unknown != int.MinValue)
            return (ErrorCode.InvalidReplicaAssignment, $"The manual partition assignment includes broker {unknown}, but no such broker is registered.", null);
        return (ErrorCode.None, null, Reassignment.Start(current, target, Usable));
    }

    /// <summary>The reassignments in progress: all of them, or those among the partitions named (others are left out).</summary>
    public ListPartitionReassignmentsResponse List(MetadataImage image, ListPartitionReassignmentsRequest request)
    {
        var response = new ListPartitionReassignmentsResponse { ErrorMessage = null };
        var wanted = request.Topics is null
            ? image.TopicsByName.Values.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => (Topic: (TopicImage?)t, Ids: t.Partitions.Select(p => p.PartitionId).ToList()))
            : request.Topics.Select(t => (Topic: image.Topic(t.Name), Ids: t.PartitionIndexes));
        foreach (var (topic, ids) in wanted)
        {
            if (topic is null)
                continue;
            var ongoing = new ListPartitionReassignmentsResponse.OngoingTopicReassignment { Name = topic.Name };
            foreach (var p in ids.Distinct().Select(id => topic.Partitions.FirstOrDefault(p => p.PartitionId == id)).Where(p => p is { IsReassigning: true }))
                ongoing.Partitions.Add(new ListPartitionReassignmentsResponse.OngoingPartitionReassignment
                {
                    PartitionIndex = p!.PartitionId, Replicas = [.. p.Replicas], AddingReplicas = [.. p.AddingReplicas], RemovingReplicas = [.. p.RemovingReplicas],
                });
            if (ongoing.Partitions.Count > 0)
                response.Topics.Add(ongoing);
        }
        return response;
    }
}
