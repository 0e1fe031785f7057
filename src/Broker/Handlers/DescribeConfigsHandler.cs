using System.Globalization;
using Broker.Config;
using Broker.Controller;
using Broker.Hosting;
using Broker.Metadata;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Entry = Broker.Protocol.Messages.DescribeConfigsResponse.DescribeConfigsResourceResult;
using Result = Broker.Protocol.Messages.DescribeConfigsResponse.DescribeConfigsResult;

namespace Broker.Handlers;

/// <summary>
/// DescribeConfigs for topics (overrides over broker defaults, with their sources) and for this
/// broker (its static configuration; an empty name is the cluster-wide dynamic default, of which
/// there is none yet). Synonyms and documentation only when asked for, as Kafka sends them.
/// </summary>
public sealed class DescribeConfigsHandler(BrokerServices services) : ApiHandler<DescribeConfigsRequest, DescribeConfigsResponse>
{
    public override ApiKey Key => ApiKey.DescribeConfigs;

    protected override ValueTask<DescribeConfigsResponse?> HandleAsync(RequestContext context, DescribeConfigsRequest request, CancellationToken cancel)
    {
        var image = services.Metadata.Current;
        var response = new DescribeConfigsResponse();
        foreach (var resource in request.Resources)
        {
            var result = new Result { ResourceType = resource.ResourceType, ResourceName = resource.ResourceName, ErrorMessage = null };
            var (error, message, entries) = Lookup(image, resource);
            result.ErrorCode = (short)error;
            result.ErrorMessage = message;
            if (entries is not null)
            {
                var keys = resource.ConfigurationKeys?.ToHashSet(StringComparer.Ordinal);
                foreach (var entry in entries.Where(e => keys is null || keys.Contains(e.Name)))
                    result.Configs.Add(ToWire(entry, request.IncludeSynonyms, request.IncludeDocumentation));
            }
            response.Results.Add(result);
        }
        return ValueTask.FromResult<DescribeConfigsResponse?>(response);
    }

    private (ErrorCode, string?, IReadOnlyList<ConfigEntryView>?) Lookup(MetadataImage image, DescribeConfigsRequest.DescribeConfigsResource resource)
    {
        switch ((ConfigResourceType)resource.ResourceType)
        {
            case ConfigResourceType.Topic:
                if (TopicNames.Validate(resource.ResourceName) is { } invalid)
                    return (ErrorCode.InvalidTopicException, invalid, null);
                if (image.Topic(resource.ResourceName) is null)
                    return (ErrorCode.UnknownTopicOrPartition, $"The topic '{resource.ResourceName}' does not exist.", null);
                return (ErrorCode.None, null, TopicConfigDefinitions.Describe(services.Config, image.ConfigsOf(ConfigResourceType.Topic, resource.ResourceName)));
            case ConfigResourceType.Broker:
                if (resource.ResourceName.Length == 0)
                    return (ErrorCode.None, null, []);
                if (!int.TryParse(resource.ResourceName, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id))
                    return (ErrorCode.InvalidRequest, $"Broker id must be an integer, but it is: {resource.ResourceName}", null);
                if (id != services.NodeId)
                    return (ErrorCode.InvalidRequest, $"Unexpected broker id, expected {services.NodeId} or empty string, but received {resource.ResourceName}", null);
                return (ErrorCode.None, null, services.Config.Describe());
            default:
                return (ErrorCode.InvalidRequest, $"Unsupported resource type: {ResourceTypeName(resource.ResourceType)}", null);
        }
    }

    private static string ResourceTypeName(sbyte type) => (ConfigResourceType)type switch
    {
        ConfigResourceType.BrokerLogger => "BROKER_LOGGER",
        ConfigResourceType.ClientMetrics => "CLIENT_METRICS",
        ConfigResourceType.Group => "GROUP",
        _ => type.ToString(CultureInfo.InvariantCulture),
    };

    private static Entry ToWire(ConfigEntryView view, bool includeSynonyms, bool includeDocumentation)
    {
        var entry = new Entry
        {
            Name = view.Name,
            Value = view.IsSensitive ? null : view.Value,
            ReadOnly = view.IsReadOnly,
            ConfigSource = (sbyte)view.Source,
            // v0's flag, before ConfigSource (v1+) named where a value comes from.
            IsDefault = view.Source == ConfigEntrySource.DefaultConfig,
            IsSensitive = view.IsSensitive,
            ConfigType = WireType(view.Type),
            Documentation = includeDocumentation ? view.Documentation : null,
        };
        if (includeSynonyms)
            foreach (var synonym in view.Synonyms)
                entry.Synonyms.Add(new DescribeConfigsResponse.DescribeConfigsSynonym
                {
                    Name = synonym.Name, Value = view.IsSensitive ? null : synonym.Value, Source = (sbyte)synonym.Source,
                });
        return entry;
    }

    /// <summary>DescribeConfigs' ConfigType codes: 0 is UNKNOWN, then Kafka's ConfigDef types in order.</summary>
    private static sbyte WireType(ConfigType type) => type switch
    {
        ConfigType.Boolean => 1,
        ConfigType.String => 2,
        ConfigType.Int => 3,
        ConfigType.Short => 4,
        ConfigType.Long => 5,
        ConfigType.Double => 6,
        ConfigType.List => 7,
        ConfigType.Class => 8,
        ConfigType.Password => 9,
        _ => 0,
    };
}
