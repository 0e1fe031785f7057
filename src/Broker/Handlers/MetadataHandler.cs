using Broker.Controller;
using Broker.Hosting;
using Broker.Metadata;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>
/// Metadata: brokers reachable on the listener the client used, and the requested topics — all of
/// them when the list is null (or, at v0, which has no null, empty); unknown ones are created when auto.create.topics.enable allows it.
/// </summary>
public sealed class MetadataHandler(BrokerServices services) : ApiHandler<MetadataRequest, MetadataResponse>
{
    public override ApiKey Key => ApiKey.Metadata;

    protected override async ValueTask<MetadataResponse?> HandleAsync(RequestContext context, MetadataRequest request, CancellationToken cancel)
    {
        // Names became nullable (topics by id) at v10, answers name them only from v12: as Kafka, refuse ids below v12.
        if (context.ApiVersion < 12 && request.Topics?.Any(t => t.Name is null) == true)
        {
            context.CloseInsteadOfResponding($"Metadata v{context.ApiVersion} asks for a topic by id, which needs v12 or later");
            return null;
        }
        var image = services.Metadata.Current;
        if (request.Topics is { Count: > 0 } && request.AllowAutoTopicCreation && services.Config.AutoCreateTopicsEnable)
        {
            var missing = request.Topics.Where(t => t.Name is not null && image.Topic(t.Name) is null && TopicNames.Validate(t.Name) is null)
                .Select(t => t.Name!).Distinct().ToArray();
            if (missing.Length > 0)
            {
                await Forwarding.CreateTopicsAsync(services, TopicDefaults.Request(missing), cancel).ConfigureAwait(false);
                image = services.Metadata.Current;
            }
        }

        var response = new MetadataResponse { ClusterId = image.ClusterId, ControllerId = -1 };
        foreach (var broker in image.Brokers.Values.Where(b => !b.Fenced).OrderBy(b => b.Id))
        {
            if (broker.Endpoint(context.ListenerName) is not { } endpoint)
                continue;
            response.Brokers.Add(new MetadataResponse.MetadataResponseBroker
            {
                NodeId = broker.Id, Host = endpoint.Host, Port = endpoint.Port, Rack = broker.Rack,
            });
        }
        // As Kafka's KRaft brokers: the "controller" clients send admin requests to is a live broker
        // that forwards them (this one when listed). It must be among the brokers returned, or a
        // client cannot reach it and waits for its next periodic metadata refresh.
        if (response.Brokers.Count > 0)
            response.ControllerId = response.Brokers.Any(b => b.NodeId == services.NodeId) ? services.NodeId : response.Brokers[0].NodeId;

        // v0 had no null list: an empty one meant every topic (Kafka 3.x still read it so).
        if (request.Topics is null || (context.ApiVersion == 0 && request.Topics.Count == 0))
        {
            foreach (var topic in image.TopicsByName.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
                response.Topics.Add(Describe(topic, image));
            return response;
        }
        foreach (var wanted in request.Topics)
        {
            var topic = wanted.Name is not null ? image.Topic(wanted.Name) : image.TopicsById.GetValueOrDefault(wanted.TopicId);
            if (topic is not null)
            {
                response.Topics.Add(Describe(topic, image));
                continue;
            }
            var error = wanted.Name is null ? ErrorCode.UnknownTopicId
                : TopicNames.Validate(wanted.Name) is not null ? ErrorCode.InvalidTopicException
                : ErrorCode.UnknownTopicOrPartition;
            response.Topics.Add(new MetadataResponse.MetadataResponseTopic
            {
                Name = wanted.Name, TopicId = wanted.TopicId, ErrorCode = (short)error,
            });
        }
        return response;
    }

    private static MetadataResponse.MetadataResponseTopic Describe(TopicImage topic, MetadataImage image)
    {
        var result = new MetadataResponse.MetadataResponseTopic { Name = topic.Name, TopicId = topic.Id, IsInternal = topic.IsInternal };
        foreach (var p in topic.Partitions)
        {
            var offline = p.Replicas.Where(r => !image.Brokers.TryGetValue(r, out var b) || b.Fenced).ToList();
            result.Partitions.Add(new MetadataResponse.MetadataResponsePartition
            {
                ErrorCode = (short)(p.Leader < 0 || offline.Contains(p.Leader) ? ErrorCode.LeaderNotAvailable : ErrorCode.None),
                PartitionIndex = p.PartitionId,
                LeaderId = p.Leader,
                LeaderEpoch = p.LeaderEpoch,
                ReplicaNodes = p.Replicas.ToList(),
                IsrNodes = p.Isr.ToList(),
                OfflineReplicas = offline,
            });
        }
        return result;
    }
}
