using System.Collections.Immutable;
using Broker.Protocol.Wire;

namespace Broker.Metadata;

/// <summary>
/// An immutable view of the cluster built from committed metadata records. Handlers read the
/// current image without locks; each committed batch of records produces the next one.
/// </summary>
public sealed record MetadataImage(
    string ClusterId,
    long Offset,
    ImmutableDictionary<string, TopicImage> TopicsByName,
    ImmutableDictionary<Uuid, TopicImage> TopicsById,
    ImmutableDictionary<int, BrokerImage> Brokers,
    ImmutableDictionary<(ConfigResourceType Type, string Name), ImmutableDictionary<string, string>> Configs,
    ImmutableDictionary<string, short> Features,
    long NextProducerId)
{
    public static MetadataImage Empty(string clusterId) => new(
        clusterId, -1,
        ImmutableDictionary<string, TopicImage>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableDictionary<Uuid, TopicImage>.Empty,
        ImmutableDictionary<int, BrokerImage>.Empty,
        ImmutableDictionary<(ConfigResourceType, string), ImmutableDictionary<string, string>>.Empty,
        ImmutableDictionary<string, short>.Empty.WithComparers(StringComparer.Ordinal),
        0);

    public TopicImage? Topic(string name) => TopicsByName.GetValueOrDefault(name);

    public IReadOnlyDictionary<string, string> ConfigsOf(ConfigResourceType type, string name) =>
        Configs.TryGetValue((type, name), out var configs) ? configs : ImmutableDictionary<string, string>.Empty;
}
