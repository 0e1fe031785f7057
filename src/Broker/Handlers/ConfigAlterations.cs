using Broker.Config;
using Broker.Controller;
using Broker.Hosting;
using Broker.Metadata;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Wire;

namespace Broker.Handlers;

/// <summary>What one resource of an AlterConfigs or IncrementalAlterConfigs request came to.</summary>
public readonly record struct AlterOutcome(ErrorCode Error, string? Message)
{
    public static readonly AlterOutcome Ok = new(ErrorCode.None, null);
}

/// <summary>
/// The rules AlterConfigs and IncrementalAlterConfigs share: which resources may be altered, that the
/// resulting set of overrides must be valid as a whole, and turning it into the changes to commit.
/// </summary>
public static class ConfigAlterations
{
    /// <summary>
    /// Null when the resource exists and takes dynamic overrides here. Broker resources are refused
    /// until dynamic broker configs are supported: everything a broker reports today is static.
    /// </summary>
    public static AlterOutcome? CheckResource(MetadataImage image, sbyte type, string name) => (ConfigResourceType)type switch
    {
        ConfigResourceType.Topic when TopicNames.Validate(name) is { } invalid => new(ErrorCode.InvalidTopicException, invalid),
        ConfigResourceType.Topic when image.Topic(name) is null => new(ErrorCode.UnknownTopicOrPartition, $"The topic '{name}' does not exist."),
        ConfigResourceType.Topic => null,
        ConfigResourceType.Broker or ConfigResourceType.BrokerLogger =>
            new(ErrorCode.InvalidRequest, "Dynamic broker configs are not supported by this broker yet; set them in server.properties."),
        ConfigResourceType.Group or ConfigResourceType.ClientMetrics =>
            new(ErrorCode.InvalidRequest, $"Altering {(ConfigResourceType)type} configs is not supported by this broker yet."),
        _ => new(ErrorCode.InvalidRequest, $"Unknown resource type {type}."),
    };

    /// <summary>
    /// Validates a topic's complete new set of overrides and, unless <paramref name="validateOnly"/>,
    /// adds what differs from <paramref name="current"/> to <paramref name="changes"/>.
    /// </summary>
    public static AlterOutcome ApplyTopic(
        string topic, IReadOnlyDictionary<string, string> current, IReadOnlyDictionary<string, string?> next,
        bool validateOnly, List<ConfigChange> changes)
    {
        try
        {
            TopicConfigDefinitions.Validate(next);
        }
        catch (ConfigException e)
        {
            return new(ErrorCode.InvalidConfig, e.Message);
        }
        if (validateOnly)
            return AlterOutcome.Ok;
        foreach (var name in current.Keys.Where(k => !next.ContainsKey(k)).Order(StringComparer.Ordinal))
            changes.Add(new ConfigChange(ConfigResourceType.Topic, topic, name, null));
        foreach (var (name, value) in next.OrderBy(p => p.Key, StringComparer.Ordinal))
            if (!current.TryGetValue(name, out var old) || old != value)
                changes.Add(new ConfigChange(ConfigResourceType.Topic, topic, name, value));
        return AlterOutcome.Ok;
    }

    /// <summary>
    /// Runs <paramref name="alter"/> for every distinct resource inside the controller's loop and
    /// commits the changes of those that succeeded; a resource named twice is rejected whole, as Kafka does.
    /// </summary>
    /// <summary>
    /// The whole of either handler: committed here when this node is the active controller, else
    /// forwarded (see <see cref="Forwarding.RunAsync{TResponse}"/>; every resource answers
    /// NOT_CONTROLLER only if no controller takes it); <paramref name="respond"/> builds the response
    /// from one outcome per resource.
    /// </summary>
    public static async ValueTask<TResponse?> HandleAsync<TResource, TResponse>(
        BrokerServices services, RequestContext context, IApiMessage request, IReadOnlyList<TResource> resources, Func<TResource, (sbyte Type, string Name)> id,
        Func<MetadataImage, TResource, List<ConfigChange>, AlterOutcome> alter, Func<IEnumerable<(sbyte Type, string Name, AlterOutcome Outcome)>, TResponse> respond,
        Func<TResponse, bool> refusedByController, CancellationToken cancel)
        where TResponse : class, IApiMessage
    {
        TResponse Refused(ControllerUnavailableException e) =>
            respond(resources.Select(r => (id(r).Type, id(r).Name, new AlterOutcome(ErrorCode.NotController, e.Message))));
        return await Forwarding.RunAsync(services, context, request,
            async () => respond(await CommitAsync(services.Controller, resources, id, alter, cancel).ConfigureAwait(false)),
            Refused, refusedByController, cancel).ConfigureAwait(false);
    }

    public static Task<List<(sbyte Type, string Name, AlterOutcome Outcome)>> CommitAsync<TResource>(
        QuorumController controller, IReadOnlyList<TResource> resources, Func<TResource, (sbyte Type, string Name)> id,
        Func<MetadataImage, TResource, List<ConfigChange>, AlterOutcome> alter, CancellationToken cancel)
    {
        var duplicates = resources.GroupBy(id).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        return controller.ChangeConfigsAsync(image =>
        {
            var changes = new List<ConfigChange>();
            var results = new List<(sbyte, string, AlterOutcome)>();
            var answered = new HashSet<(sbyte, string)>();
            foreach (var resource in resources)
            {
                var key = id(resource);
                if (!answered.Add(key))
                    continue;
                var outcome = duplicates.Contains(key) ? new AlterOutcome(ErrorCode.InvalidRequest, "Duplicate resource.") : alter(image, resource, changes);
                results.Add((key.Type, key.Name, outcome));
            }
            return ((IReadOnlyList<ConfigChange>)changes, results);
        }, cancel);
    }

    /// <summary>Kafka refuses a request that names one key twice for a resource.</summary>
    public static AlterOutcome? CheckDuplicateKeys(IEnumerable<string> names) =>
        names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice
            ? new(ErrorCode.InvalidRequest, $"Error due to duplicate config keys: {twice.Key}")
            : null;
}
