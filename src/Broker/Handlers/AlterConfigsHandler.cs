using Broker.Controller;
using Broker.Hosting;
using Broker.Metadata;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Result = Broker.Protocol.Messages.AlterConfigsResponse.AlterConfigsResourceResponse;

namespace Broker.Handlers;

/// <summary>
/// The legacy AlterConfigs: the configs given become the resource's whole set of overrides, so any
/// override left out is removed. Checked and committed inside the controller's loop.
/// </summary>
public sealed class AlterConfigsHandler(BrokerServices services) : ApiHandler<AlterConfigsRequest, AlterConfigsResponse>
{
    public override ApiKey Key => ApiKey.AlterConfigs;

    protected override async ValueTask<AlterConfigsResponse?> HandleAsync(RequestContext context, AlterConfigsRequest request, CancellationToken cancel)
    {
        Func<ControllerUnavailableException, AlterConfigsResponse> failed = e =>
        {
            var refusal = new AlterConfigsResponse();
            foreach (var r in request.Resources)
                refusal.Responses.Add(new Result { ResourceType = r.ResourceType, ResourceName = r.ResourceName, ErrorCode = (short)ErrorCode.NotController, ErrorMessage = e.Message });
            return refusal;
        };
        return await Forwarding.RunAsync(services, context, request, async () =>
        {
            var outcomes = await ConfigAlterations.CommitAsync(services.Controller, request.Resources, r => (r.ResourceType, r.ResourceName),
                (image, resource, changes) => Alter(image, resource, request.ValidateOnly, changes), cancel).ConfigureAwait(false);
            var response = new AlterConfigsResponse();
            foreach (var (type, name, outcome) in outcomes)
                response.Responses.Add(new Result
                {
                    ResourceType = type, ResourceName = name, ErrorCode = (short)outcome.Error, ErrorMessage = outcome.Message,
                });
            return response;
        }, failed, r => r.Responses.Any(t => t.ErrorCode == (short)ErrorCode.NotController), cancel).ConfigureAwait(false);
    }

    private static AlterOutcome Alter(MetadataImage image, AlterConfigsRequest.AlterConfigsResource resource, bool validateOnly, List<ConfigChange> changes)
    {
        if (ConfigAlterations.CheckResource(image, resource.ResourceType, resource.ResourceName) is { } refused)
            return refused;
        if (ConfigAlterations.CheckDuplicateKeys(resource.Configs.Select(c => c.Name)) is { } duplicate)
            return duplicate;
        var next = resource.Configs.ToDictionary(c => c.Name, c => c.Value, StringComparer.Ordinal);
        return ConfigAlterations.ApplyTopic(resource.ResourceName,
            image.ConfigsOf(ConfigResourceType.Topic, resource.ResourceName), next, validateOnly, changes);
    }
}
