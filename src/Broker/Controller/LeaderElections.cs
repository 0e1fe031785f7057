using Broker.Metadata;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Broker.Controller;

/// <summary>
/// Leader elections an operator or the controller itself asks for: ElectLeaders (KIP-460, preferred
/// and unclean), the periodic move back to preferred leaders (<c>auto.leader.rebalance.enable</c>)
/// and unclean elections once a topic allows them.
/// </summary>
public sealed class LeaderElections(QuorumController controller, ILogger logger)
{
    public const sbyte Preferred = 0;
    public const sbyte Unclean = 1;

    public Task<ElectLeadersResponse> ElectLeadersAsync(ElectLeadersRequest request, short version, CancellationToken cancel) =>
        controller.RunAsync(image =>
        {
            var records = new List<VersionedRecord>();
            var response = new ElectLeadersResponse();
            var type = version == 0 ? Preferred : request.ElectionType;
            if (type is not (Preferred or Unclean))
            {
                response.ErrorCode = (short)ErrorCode.InvalidRequest;
                return (records, response);
            }
            // Every partition when no list is given; those already led as asked are then left out, as in Kafka.
            var all = request.TopicPartitions is null;
            var wanted = all
                ? image.TopicsByName.Values.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => (t.Name, t.Partitions.Select(p => p.PartitionId).ToList()))
                : request.TopicPartitions!.Select(t => (Name: t.Topic, t.Partitions));
            foreach (var (name, partitions) in wanted)
            {
                var result = new ElectLeadersResponse.ReplicaElectionResult { Topic = name };
                var topic = image.Topic(name);
                foreach (var id in partitions.Distinct())
                {
                    var p = topic?.Partitions.FirstOrDefault(x => x.PartitionId == id);
                    var (error, message) = p is null
                        ? (ErrorCode.UnknownTopicOrPartition, "The partition does not exist.")
                        : Elect(image, topic!, p, type, records);
                    if (all && error == ErrorCode.ElectionNotNeeded)
                        continue;
                    result.PartitionResult.Add(new ElectLeadersResponse.PartitionResult
                    {
                        PartitionId = id, ErrorCode = (short)error, ErrorMessage = message,
                    });
                }
                if (result.PartitionResult.Count > 0)
                    response.ReplicaElectionResults.Add(result);
            }
            return (records, response);
        }, cancel);

    private (ErrorCode, string?) Elect(MetadataImage image, TopicImage topic, PartitionImage p, sbyte type, List<VersionedRecord> records)
    {
        bool Usable(int id) => PartitionLeadership.Usable(image, id);
        PartitionImage? next;
        if (type == Preferred)
        {
            var preferred = p.Replicas[0];
            if (p.Leader == preferred)
                return (ErrorCode.ElectionNotNeeded, "Leader election not needed for topic partition.");
            if (!p.Isr.Contains(preferred) || !Usable(preferred))
                return (ErrorCode.PreferredLeaderNotAvailable, $"Failed to elect leader for partition {topic.Name}-{p.PartitionId} under strategy PreferredReplicaPartitionLeaderElectionStrategy");
            next = p with { Leader = preferred };
        }
        else
        {
            if (p.Leader != -1)
                return (ErrorCode.ElectionNotNeeded, "Leader election not needed for topic partition.");
            next = PartitionLeadership.Elect(p, p.Isr, Usable, unclean: true);
            if (next is null)
                return (ErrorCode.EligibleLeadersNotAvailable, $"Failed to elect leader for partition {topic.Name}-{p.PartitionId} under strategy UncleanLeaderElectionStrategy");
        }
        if (PartitionChanges.Diff(topic.Id, p, next) is { } change)
        {
            records.Add(VersionedRecord.Latest(change));
            logger.LogInformation("Elected {Leader} leader of {Topic}-{Partition} ({Type} election)", next.Leader, topic.Name, p.PartitionId,
                type == Preferred ? "preferred" : "unclean");
        }
        return (ErrorCode.None, null);
    }

    /// <summary>
    /// Moves leadership back to the preferred replica (the first assigned) of every partition whose
    /// preferred broker leads too few of its partitions: more than <c>leader.imbalance.per.broker.percentage</c>
    /// of them led elsewhere, and the preferred replica in sync and usable. Returns the partitions moved.
    /// </summary>
    public Task<int> BalanceLeadersAsync(CancellationToken cancel) =>
        controller.RunAsync(image =>
        {
            var records = new List<VersionedRecord>();
            var threshold = controller.Config.GetInt("leader.imbalance.per.broker.percentage");
            var byPreferred = image.TopicsById.Values
                .SelectMany(t => t.Partitions.Where(p => p.Replicas.Count > 0).Select(p => (Topic: t, Partition: p)))
                .GroupBy(x => x.Partition.Replicas[0]);
            foreach (var group in byPreferred)
            {
                var elsewhere = group.Where(x => x.Partition.Leader != group.Key).ToList();
                if (elsewhere.Count * 100 <= threshold * group.Count() || !PartitionLeadership.Usable(image, group.Key))
                    continue;
                foreach (var (topic, p) in elsewhere.Where(x => x.Partition.Isr.Contains(group.Key)))
                {
                    records.Add(VersionedRecord.Latest(PartitionChanges.Diff(topic.Id, p, p with { Leader = group.Key })!));
                    logger.LogInformation("Moving leadership of {Topic}-{Partition} back to its preferred replica {Broker}", topic.Name, p.PartitionId, group.Key);
                }
            }
            return (records, records.Count);
        }, cancel);

    /// <summary>
    /// Leaderless partitions that can have a leader now: the ticker calls this so that turning on
    /// <c>unclean.leader.election.enable</c> (or a missed chance) is acted on without waiting for a broker to come back.
    /// </summary>
    public Task<int> ElectLeaderlessAsync(CancellationToken cancel) =>
        controller.RunAsync(image =>
        {
            var records = PartitionLeadership.ElectLeaderless(image, id => PartitionLeadership.Usable(image, id),
                topic => PartitionLeadership.UncleanAllowed(image, controller.Config, topic)).Select(VersionedRecord.Latest).ToList();
            foreach (var r in records)
                logger.LogInformation("Elected a leader for leaderless partition {Partition} of topic id {TopicId}",
                    ((Protocol.MetadataRecords.PartitionChangeRecord)r.Record).PartitionId, ((Protocol.MetadataRecords.PartitionChangeRecord)r.Record).TopicId);
            return (records, records.Count);
        }, cancel);
}
