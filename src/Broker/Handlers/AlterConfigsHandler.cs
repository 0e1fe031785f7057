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
        return await ConfigAlterations.HandleAsync(services, context, request, request.Resources, r => (r.ResourceType, r.ResourceName),
            (image, resource, changes) => Alter(image, resource, request.ValidateOnly, changes),
            outcomes => new AlterConfigsResponse
            {
                Responses = outcomes.Select(o => new Result
                {
                    ResourceType = o.Type, ResourceName = o.Name, ErrorCode = (short)o.Outcome.Error, ErrorMessage = o.Outcome.Message,
                }).ToList(),
            },
            r => r.Responses.Any(t => t.ErrorCode == (short)ErrorCode.NotController), cancel).ConfigureAwait(false);
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
