using Broker.Config;
using Broker.Controller;
using Broker.Hosting;
using Broker.Metadata;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Result = Broker.Protocol.Messages.IncrementalAlterConfigsResponse.AlterConfigsResourceResponse;

namespace Broker.Handlers;

/// <summary>
/// IncrementalAlterConfigs (KIP-339): SET, DELETE, APPEND and SUBTRACT applied to the current
/// overrides; the result is validated as a whole and committed inside the controller's loop.
/// </summary>
public sealed class IncrementalAlterConfigsHandler(BrokerServices services)
    : ApiHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>
{
    public const sbyte Set = 0, Delete = 1, Append = 2, Subtract = 3;

    public override ApiKey Key => ApiKey.IncrementalAlterConfigs;

    protected override async ValueTask<IncrementalAlterConfigsResponse?> HandleAsync(
        RequestContext context, IncrementalAlterConfigsRequest request, CancellationToken cancel)
    {
        return await ConfigAlterations.HandleAsync(services, context, request, request.Resources, r => (r.ResourceType, r.ResourceName),
            (image, resource, changes) => Alter(image, resource, request.ValidateOnly, changes),
            outcomes => new IncrementalAlterConfigsResponse
            {
                Responses = outcomes.Select(o => new Result
                {
                    ResourceType = o.Type, ResourceName = o.Name, ErrorCode = (short)o.Outcome.Error, ErrorMessage = o.Outcome.Message,
                }).ToList(),
            },
            r => r.Responses.Any(t => t.ErrorCode == (short)ErrorCode.NotController), cancel).ConfigureAwait(false);
    }

    private static AlterOutcome Alter(
        MetadataImage image, IncrementalAlterConfigsRequest.AlterConfigsResource resource, bool validateOnly, List<ConfigChange> changes)
    {
        if (ConfigAlterations.CheckResource(image, resource.ResourceType, resource.ResourceName) is { } refused)
            return refused;
        if (ConfigAlterations.CheckDuplicateKeys(resource.Configs.Select(c => c.Name)) is { } duplicate)
            return duplicate;

        var current = image.ConfigsOf(ConfigResourceType.Topic, resource.ResourceName);
        var next = current.ToDictionary(p => p.Key, p => (string?)p.Value, StringComparer.Ordinal);
        foreach (var op in resource.Configs)
        {
            switch (op.ConfigOperation)
            {
                case Set:
                    next[op.Name] = op.Value;
                    break;
                case Delete:
                    next.Remove(op.Name);
                    break;
                case Append or Subtract:
                    var key = TopicConfigDefinitions.Find(op.Name);
                    if (key?.Key.Type != ConfigType.List)
                        return new(ErrorCode.InvalidConfig, $"Can't {OperationName(op.ConfigOperation)} to key {op.Name} because its type is not LIST.");
                    // Kafka starts from the key's own default when the topic has no override.
                    var items = ConfigValueParser.SplitList(next.GetValueOrDefault(op.Name) ?? key.Key.DefaultValue ?? "").ToList();
                    var operands = ConfigValueParser.SplitList(op.Value ?? "");
                    if (op.ConfigOperation == Append)
                        items.AddRange(operands.Where(o => !items.Contains(o, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal));
                    else
                        items.RemoveAll(i => operands.Contains(i, StringComparer.Ordinal));
                    next[op.Name] = string.Join(",", items);
                    break;
                default:
                    return new(ErrorCode.InvalidRequest, $"Unknown operation type {op.ConfigOperation}");
            }
        }
        return ConfigAlterations.ApplyTopic(resource.ResourceName, current, next, validateOnly, changes);
    }

    private static string OperationName(sbyte op) => op == Append ? "APPEND" : "SUBTRACT";
}
