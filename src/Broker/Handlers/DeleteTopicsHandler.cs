using Broker.Controller;
using Broker.Hosting;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;

namespace Broker.Handlers;

/// <summary>
/// DeleteTopics: by name (v1-5) or by name or id (v6), committed by the controller. Malformed
/// entries (both or neither of name and id, duplicates) fail alone; the rest of the request goes on.
/// </summary>
public sealed class DeleteTopicsHandler(BrokerServices services) : ApiHandler<DeleteTopicsRequest, DeleteTopicsResponse>
{
    public override ApiKey Key => ApiKey.DeleteTopics;

    protected override async ValueTask<DeleteTopicsResponse?> HandleAsync(RequestContext context, DeleteTopicsRequest request, CancellationToken cancel)
    {
        Func<ControllerUnavailableException, DeleteTopicsResponse> failed = e =>
        {
            var refusal = new DeleteTopicsResponse();
            foreach (var name in request.TopicNames)
                refusal.Responses.Add(Failed(name, Uuid.Zero, ErrorCode.NotController, e.Message));
            foreach (var topic in request.Topics)
                refusal.Responses.Add(Failed(topic.Name, topic.TopicId, ErrorCode.NotController, e.Message));
            return refusal;
        };
        return await Forwarding.RunAsync(services, context, request, async () =>
        {
            List<(string? Name, Uuid TopicId)> wanted = context.ApiVersion >= 6
                ? request.Topics.Select(t => (t.Name, t.TopicId)).ToList()
                : request.TopicNames.Select(n => ((string?)n, Uuid.Zero)).ToList();
            var response = new DeleteTopicsResponse();

            if (!services.Config.GetBoolean("delete.topic.enable"))
            {
                foreach (var (name, id) in wanted)
                    response.Responses.Add(Failed(name, id, ErrorCode.TopicDeletionDisabled, "Topic deletion is disabled."));
                return response;
            }

            var duplicateNames = wanted.Where(t => t.Name is not null).GroupBy(t => t.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
            var duplicateIds = wanted.Where(t => t.Name is null).GroupBy(t => t.TopicId).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
            var reported = new HashSet<(string?, Uuid)>();
            var valid = new List<(string? Name, Uuid Id)>();
            foreach (var (name, id) in wanted)
            {
                if (name is not null && id != Uuid.Zero)
                    response.Responses.Add(Failed(name, id, ErrorCode.InvalidRequest, "You may not specify both topic name and topic id."));
                else if (name is null && id == Uuid.Zero)
                    response.Responses.Add(Failed(name, id, ErrorCode.InvalidRequest, "Neither topic name nor id were specified."));
                else if (name is not null ? duplicateNames.Contains(name) : duplicateIds.Contains(id))
                {
                    // One answer per duplicated topic, as Kafka gives.
                    if (reported.Add((name, id)))
                        response.Responses.Add(Failed(name, id, ErrorCode.InvalidRequest, name is not null ? "Duplicate topic name." : "Duplicate topic id."));
                }
                else
                    valid.Add((name, id));
            }

            if (valid.Count > 0)
                response.Responses.AddRange(await services.Controller.DeleteTopicsAsync(valid, cancel).ConfigureAwait(false));
            return response;
        }, failed, r => r.Responses.Any(t => t.ErrorCode == (short)ErrorCode.NotController), cancel).ConfigureAwait(false);
    }

    private static DeleteTopicsResponse.DeletableTopicResult Failed(string? name, Uuid id, ErrorCode error, string message) => new()
    {
        Name = name, TopicId = id, ErrorCode = (short)error, ErrorMessage = message,
    };
}
