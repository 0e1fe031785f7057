using Broker.Metadata;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Broker.Controller;

/// <summary>
/// AlterPartition (KIP-497): a partition leader asks the controller to shrink or expand its ISR,
/// or to mark its log RECOVERED after an unclean election. Checked as Kafka's controller does —
/// the sender's broker epoch, the leader and partition epochs the request was based on, an ISR
/// made of assigned replicas that holds the leader, and new members that are registered,
/// unfenced, not shutting down and (v3, KIP-903) still the incarnation the leader saw caught up.
/// An expansion that puts every target replica in sync completes a running reassignment in the
/// same batch.
/// </summary>
public sealed class IsrChanges(QuorumController controller, ILogger logger)
{
    public Task<AlterPartitionResponse> AlterPartitionAsync(AlterPartitionRequest request, short version, CancellationToken cancel) =>
        controller.RunAsync(image =>
        {
            var records = new List<VersionedRecord>();
            var response = new AlterPartitionResponse();
            if (!image.Brokers.TryGetValue(request.BrokerId, out var sender) || sender.Epoch != request.BrokerEpoch)
            {
                logger.LogInformation("Rejecting AlterPartition from broker {Broker}: broker epoch {Epoch} is not its current one", request.BrokerId, request.BrokerEpoch);
                response.ErrorCode = (short)ErrorCode.StaleBrokerEpoch;
                return (records, response);
            }
            var working = new Dictionary<(Uuid, int), PartitionImage>();
            foreach (var topicData in request.Topics)
            {
                var topic = version >= 2 ? image.TopicsById.GetValueOrDefault(topicData.TopicId) : image.Topic(topicData.TopicName);
                var topicResult = new AlterPartitionResponse.TopicData { TopicName = topicData.TopicName, TopicId = topicData.TopicId };
                response.Topics.Add(topicResult);
                foreach (var data in topicData.Partitions)
                {
                    if (topic is null)
                    {
                        topicResult.Partitions.Add(Error(data.PartitionIndex, version >= 2 ? ErrorCode.UnknownTopicId : ErrorCode.UnknownTopicOrPartition));
                        continue;
                    }
                    var current = working.GetValueOrDefault((topic.Id, data.PartitionIndex))
                        ?? topic.Partitions.FirstOrDefault(p => p.PartitionId == data.PartitionIndex);
                    var isr = version >= 3 ? data.NewIsrWithEpochs.Select(b => (b.BrokerId, b.BrokerEpoch)).ToList()
                        : data.NewIsr.Select(id => (BrokerId: id, BrokerEpoch: -1L)).ToList();
                    var error = current is null ? ErrorCode.UnknownTopicOrPartition : Validate(image, request.BrokerId, current, data, isr, topic.Name);
                    if (error == ErrorCode.IneligibleReplica && version < 2)
                        error = ErrorCode.OperationNotAttempted;
                    if (error != ErrorCode.None)
                    {
                        topicResult.Partitions.Add(Error(data.PartitionIndex, error));
                        continue;
                    }
                    var next = current! with { Isr = isr.Select(m => m.BrokerId).ToList(), LeaderRecoveryState = data.LeaderRecoveryState };
                    var completed = Reassignment.CompleteIfInSync(next, id => PartitionLeadership.Usable(image, id));
                    if (completed is not null)
                        logger.LogInformation("Completed the reassignment of {Topic}-{Partition}: replicas {Replicas}", topic.Name, data.PartitionIndex, string.Join(",", completed.Replicas));
                    next = completed ?? next;
                    if (PartitionChanges.Diff(topic.Id, current, next, Reassignment.RemovesReplicas(current, next)) is { } change)
                    {
                        records.Add(VersionedRecord.Latest(change));
                        next = PartitionChanges.Committed(current, next, change);
                        working[(topic.Id, data.PartitionIndex)] = next;
                        logger.LogDebug("Broker {Broker} changed the ISR of {Topic}-{Partition} to {Isr}", request.BrokerId, topic.Name, data.PartitionIndex, string.Join(",", next.Isr));
                    }
                    if (next.Leader != request.BrokerId)
                    {
                        // Completing the reassignment moved leadership: the old leader must learn it from metadata.
                        topicResult.Partitions.Add(Error(data.PartitionIndex, version >= 2 ? ErrorCode.NewLeaderElected : ErrorCode.FencedLeaderEpoch));
                        continue;
                    }
                    topicResult.Partitions.Add(new AlterPartitionResponse.PartitionData
                    {
                        PartitionIndex = data.PartitionIndex,
                        LeaderId = next.Leader,
                        LeaderEpoch = next.LeaderEpoch,
                        Isr = next.Isr.ToList(),
                        LeaderRecoveryState = next.LeaderRecoveryState,
                        PartitionEpoch = next.PartitionEpoch,
                    });
                }
            }
            return (records, response);
        }, cancel);

    private ErrorCode Validate(MetadataImage image, int sender, PartitionImage current, AlterPartitionRequest.PartitionData data,
        List<(int BrokerId, long BrokerEpoch)> isr, string topic)
    {
        ErrorCode Reject(ErrorCode error, string why)
        {
            logger.LogInformation("Rejecting AlterPartition from broker {Broker} for {Topic}-{Partition} with {Error}: {Reason}",
                sender, topic, current.PartitionId, error, why);
            return error;
        }

        // Epochs ahead of this controller's: it is probably not the active controller any more.
        if (data.LeaderEpoch > current.LeaderEpoch || data.PartitionEpoch > current.PartitionEpoch)
            return ErrorCode.NotController;
        if (data.LeaderEpoch < current.LeaderEpoch)
            return Reject(ErrorCode.FencedLeaderEpoch, $"leader epoch {data.LeaderEpoch} is older than {current.LeaderEpoch}");
        if (sender != current.Leader)
            return Reject(ErrorCode.InvalidRequest, $"the leader is {current.Leader}");
        if (data.PartitionEpoch < current.PartitionEpoch)
            return Reject(ErrorCode.InvalidUpdateVersion, $"partition epoch {data.PartitionEpoch} is older than {current.PartitionEpoch}");
        var ids = isr.Select(m => m.BrokerId).ToList();
        if (ids.Distinct().Count() != ids.Count || ids.Any(id => !current.Replicas.Contains(id)))
            return Reject(ErrorCode.InvalidRequest, $"the ISR {string.Join(",", ids)} is not a set of the replicas {string.Join(",", current.Replicas)}");
        if (!ids.Contains(current.Leader))
            return Reject(ErrorCode.InvalidRequest, $"the ISR {string.Join(",", ids)} does not hold the leader");
        if (data.LeaderRecoveryState == PartitionImage.Recovering && ids.Count > 1)
            return Reject(ErrorCode.InvalidRequest, "a leader still recovering from an unclean election cannot have followers in sync");
        if (current.LeaderRecoveryState == PartitionImage.Recovered && data.LeaderRecoveryState == PartitionImage.Recovering)
            return Reject(ErrorCode.InvalidRequest, "the leader recovery state cannot go from RECOVERED back to RECOVERING");
        // The leader is exempt: its own epoch was checked above, and a leader kept through its
        // controlled shutdown must still be able to bring a successor into sync.
        foreach (var (id, epoch) in isr.Where(m => m.BrokerId != current.Leader))
        {
            var why = !image.Brokers.TryGetValue(id, out var broker) ? "not registered"
                : broker.InControlledShutdown ? "in controlled shutdown"
                : broker.Fenced ? "fenced"
                : broker.OfflineLogDirs.Count > 0 ? "has an offline log directory"
                : epoch != -1 && epoch != broker.Epoch ? $"broker epoch {epoch} is not its current {broker.Epoch}"
                : null;
            if (why is not null)
                return Reject(ErrorCode.IneligibleReplica, $"replica {id}: {why}");
        }
        return ErrorCode.None;
    }

    private static AlterPartitionResponse.PartitionData Error(int partition, ErrorCode error) =>
        new() { PartitionIndex = partition, ErrorCode = (short)error, LeaderId = -1, LeaderEpoch = -1, Isr = [], PartitionEpoch = -1 };
}
