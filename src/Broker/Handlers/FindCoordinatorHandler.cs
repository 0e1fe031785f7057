using Broker.Hosting;
using Broker.Metadata;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>
/// FindCoordinator: a group's coordinator is the leader of its partition of <c>__consumer_offsets</c>
/// (the absolute value of Java's String.hashCode of the group id, modulo the partition count). The topic
/// is created on first use, as Kafka does; until it has a leader the answer is COORDINATOR_NOT_AVAILABLE.
/// Transaction coordinators are not served yet.
/// </summary>
public sealed class FindCoordinatorHandler(BrokerServices services) : ApiHandler<FindCoordinatorRequest, FindCoordinatorResponse>
{
    public const string OffsetsTopic = "__consumer_offsets";
    private const sbyte GroupKey = 0, TransactionKey = 1;

    public override ApiKey Key => ApiKey.FindCoordinator;

    protected override async ValueTask<FindCoordinatorResponse?> HandleAsync(RequestContext context, FindCoordinatorRequest request, CancellationToken cancel)
    {
        var keys = context.ApiVersion >= 4 ? request.CoordinatorKeys : [request.Key];
        if (request.KeyType == GroupKey && services.Metadata.Current.Topic(OffsetsTopic) is null)
            await CreateOffsetsTopicAsync(cancel).ConfigureAwait(false);
        var image = services.Metadata.Current;
        var response = new FindCoordinatorResponse();
        foreach (var key in keys)
        {
            var (error, node) = Locate(request.KeyType, key, image, context.ListenerName);
            if (context.ApiVersion >= 4)
                response.Coordinators.Add(new FindCoordinatorResponse.Coordinator
                {
                    Key = key, ErrorCode = (short)error, ErrorMessage = error == ErrorCode.None ? null : Describe(error),
                    NodeId = node?.Id ?? -1, Host = node?.Host ?? "", Port = node?.Port ?? -1,
                });
            else
            {
                response.ErrorCode = (short)error;
                response.ErrorMessage = error == ErrorCode.None ? null : Describe(error);
                response.NodeId = node?.Id ?? -1;
                response.Host = node?.Host ?? "";
                response.Port = node?.Port ?? -1;
            }
        }
        return response;
    }

    private static (ErrorCode, (int Id, string Host, int Port)?) Locate(sbyte keyType, string key, MetadataImage image, string listener)
    {
        if (keyType == TransactionKey)
            return (ErrorCode.CoordinatorNotAvailable, null);
        if (keyType != GroupKey)
            return (ErrorCode.InvalidRequest, null);
        if (string.IsNullOrEmpty(key))
            return (ErrorCode.InvalidGroupId, null);
        var topic = image.Topic(OffsetsTopic);
        if (topic is null || topic.Partitions.Count == 0)
            return (ErrorCode.CoordinatorNotAvailable, null);
        var partition = topic.Partitions[PartitionFor(key, topic.Partitions.Count)];
        if (!image.Brokers.TryGetValue(partition.Leader, out var leader) || leader.Fenced || leader.Endpoint(listener) is not { } endpoint)
            return (ErrorCode.CoordinatorNotAvailable, null);
        return (ErrorCode.None, (leader.Id, endpoint.Host, endpoint.Port));
    }

    /// <summary>Kafka's placement of a group: Utils.abs(groupId.hashCode()) % partitions, where abs(MIN_VALUE) is 0.</summary>
    public static int PartitionFor(string groupId, int partitions)
    {
        var hash = 0;
        foreach (var c in groupId)
            hash = unchecked(31 * hash + c);
        return (hash == int.MinValue ? 0 : Math.Abs(hash)) % partitions;
    }

    private async Task CreateOffsetsTopicAsync(CancellationToken cancel)
    {
        var config = services.Config;
        var request = new CreateTopicsRequest();
        request.Topics.Add(new CreateTopicsRequest.CreatableTopic
        {
            Name = OffsetsTopic,
            NumPartitions = config.OffsetsTopicNumPartitions,
            ReplicationFactor = config.OffsetsTopicReplicationFactor,
            Configs =
            [
                new() { Name = "cleanup.policy", Value = "compact" },
                new() { Name = "compression.type", Value = "producer" },
                new() { Name = "segment.bytes", Value = "104857600" },
            ],
        });
        // A failure (too few brokers for offsets.topic.replication.factor) leaves the topic absent:
        // the client is told COORDINATOR_NOT_AVAILABLE and retries, as with Kafka.
        await Forwarding.CreateTopicsAsync(services, request, cancel).ConfigureAwait(false);
    }

    private static string Describe(ErrorCode error) => error switch
    {
        ErrorCode.CoordinatorNotAvailable => "The coordinator is not available.",
        ErrorCode.InvalidGroupId => "The group id is empty.",
        _ => "The request is invalid.",
    };
}
