using Broker.Controller;
using Broker.Hosting;
using Broker.Metadata;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>
/// CreatePartitions: grows topics through the controller, with placement by the controller or the
/// manual assignment given; validateOnly checks without committing.
/// </summary>
public sealed class CreatePartitionsHandler(BrokerServices services) : ApiHandler<CreatePartitionsRequest, CreatePartitionsResponse>
{
    public override ApiKey Key => ApiKey.CreatePartitions;

    protected override async ValueTask<CreatePartitionsResponse?> HandleAsync(RequestContext context, CreatePartitionsRequest request, CancellationToken cancel)
    {
        Func<ControllerUnavailableException, CreatePartitionsResponse> failed = e =>
        {
            var refusal = new CreatePartitionsResponse();
            foreach (var topic in request.Topics)
                refusal.Results.Add(Failed(topic.Name, ErrorCode.NotController, e.Message));
            return refusal;
        };
        return await Forwarding.RunAsync(services, context, request, async () =>
        {
            var response = new CreatePartitionsResponse();
            var duplicates = request.Topics.GroupBy(t => t.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var name in duplicates)
                response.Results.Add(Failed(name, ErrorCode.InvalidRequest, "Duplicate topic name."));

            var image = services.Metadata.Current;
            var accepted = new CreatePartitionsRequest { TimeoutMs = request.TimeoutMs, ValidateOnly = request.ValidateOnly };
            foreach (var topic in request.Topics.Where(t => !duplicates.Contains(t.Name)))
            {
                if (CheckAssignments(topic, image) is { } invalid)
                    response.Results.Add(Failed(topic.Name, ErrorCode.InvalidReplicaAssignment, invalid));
                else
                    accepted.Topics.Add(topic);
            }
            if (accepted.Topics.Count > 0)
                response.Results.AddRange(await services.Controller.CreatePartitionsAsync(accepted, cancel).ConfigureAwait(false));
            return response;
        }, failed, r => r.Results.Any(t => t.ErrorCode == (short)ErrorCode.NotController), cancel).ConfigureAwait(false);
    }

    /// <summary>
    /// The per-replica checks Kafka makes of a manual assignment; counts against the topic are left
    /// to the controller, which sees the image it changes.
    /// </summary>
    private string? CheckAssignments(CreatePartitionsRequest.CreatePartitionsTopic topic, MetadataImage image)
    {
        if (topic.Assignments is not { } assignments || image.Topic(topic.Name) is not { Partitions.Count: > 0 } existing)
            return null;
        var usable = services.Controller.Brokers.PlacementCandidates(image);
        for (var i = 0; i < assignments.Count; i++)
            if (ManualAssignment.Check(assignments[i].BrokerIds, existing.Partitions.Count + i, image, existing.Partitions[0].Replicas.Count, usable) is { } invalid)
                return invalid;
        return null;
    }

    private static CreatePartitionsResponse.CreatePartitionsTopicResult Failed(string name, ErrorCode error, string message) => new()
    {
        Name = name, ErrorCode = (short)error, ErrorMessage = message,
    };
}
