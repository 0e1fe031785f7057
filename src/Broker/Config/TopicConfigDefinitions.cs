using System.Text.RegularExpressions;
using static Broker.Config.ConfigValidator;

namespace Broker.Config;

/// <summary>A topic-level key and the broker keys that supply its default, in precedence order.</summary>
public sealed record TopicConfigKey(ConfigKey Key, IReadOnlyList<ConfigSynonym> Synonyms)
{
    public string Name => Key.Name;
}

/// <summary>
/// Kafka's topic configuration keys: what CreateTopics and AlterConfigs accept, what
/// DescribeConfigs reports, and how each falls back to a broker-level default.
/// </summary>
public static partial class TopicConfigDefinitions
{
    private const string LongMax = BrokerConfigDefinitions.LongMax;

    public static IReadOnlyList<TopicConfigKey> All { get; } =
    [
        Topic(new("segment.bytes", ConfigType.Int, "1073741824", "Largest size of a segment file.", AtLeast(1024 * 1024)), new ConfigSynonym("log.segment.bytes")),
        Topic(new("segment.ms", ConfigType.Long, "604800000", "Time after which a segment is rolled even if not full.", AtLeast(1)),
            new ConfigSynonym("log.roll.ms"), ConfigSynonym.Hours("log.roll.hours")),
        Topic(new("segment.jitter.ms", ConfigType.Long, "0", "Random jitter subtracted from segment.ms, to spread rolls.", AtLeast(0)),
            new ConfigSynonym("log.roll.jitter.ms"), ConfigSynonym.Hours("log.roll.jitter.hours")),
        Topic(new("segment.index.bytes", ConfigType.Int, "10485760", "Largest size of a segment's offset or time index.", AtLeast(4)), new ConfigSynonym("log.index.size.max.bytes")),
        Topic(new("flush.messages", ConfigType.Long, LongMax, "Messages appended before the log is flushed to disk.", AtLeast(1)), new ConfigSynonym("log.flush.interval.messages")),
        Topic(new("flush.ms", ConfigType.Long, LongMax, "Longest time data stays unflushed.", AtLeast(0)),
            new ConfigSynonym("log.flush.interval.ms"), new ConfigSynonym("log.flush.scheduler.interval.ms")),
        Topic(new("retention.bytes", ConfigType.Long, "-1", "Largest size of a partition before old segments are deleted; -1 is unlimited."), new ConfigSynonym("log.retention.bytes")),
        Topic(new("retention.ms", ConfigType.Long, "604800000", "Time to keep a segment before deleting it; -1 keeps forever.", AtLeast(-1)),
            ConfigSynonym.RetentionMillis("log.retention.ms"), ConfigSynonym.RetentionMinutes("log.retention.minutes"), ConfigSynonym.RetentionHours("log.retention.hours")),
        Topic(new("max.message.bytes", ConfigType.Int, "1048588", "Largest record batch accepted.", AtLeast(0)), new ConfigSynonym("message.max.bytes")),
        Topic(new("index.interval.bytes", ConfigType.Int, "4096", "Bytes of batches between two offset index entries.", AtLeast(0)), new ConfigSynonym("log.index.interval.bytes")),
        Topic(new("delete.retention.ms", ConfigType.Long, "86400000", "How long tombstones are kept in a compacted topic.", AtLeast(0)), new ConfigSynonym("log.cleaner.delete.retention.ms")),
        Topic(new("min.compaction.lag.ms", ConfigType.Long, "0", "Minimum age of a record before it may be compacted.", AtLeast(0)), new ConfigSynonym("log.cleaner.min.compaction.lag.ms")),
        Topic(new("max.compaction.lag.ms", ConfigType.Long, LongMax, "Maximum age of a record before it must be compacted.", AtLeast(1)), new ConfigSynonym("log.cleaner.max.compaction.lag.ms")),
        Topic(new("file.delete.delay.ms", ConfigType.Long, "60000", "Delay before a deleted segment's files are removed.", AtLeast(0)), new ConfigSynonym("log.segment.delete.delay.ms")),
        Topic(new("min.cleanable.dirty.ratio", ConfigType.Double, "0.5", "Dirty ratio above which the log is compacted.", Between(0.0, 1.0)), new ConfigSynonym("log.cleaner.min.cleanable.ratio")),
        Topic(new("cleanup.policy", ConfigType.List, "delete", "delete, compact, or both.", EachOneOf("compact", "delete")), new ConfigSynonym("log.cleanup.policy")),
        Topic(new("unclean.leader.election.enable", ConfigType.Boolean, "false", "Allow an out-of-sync replica to become leader, losing data."), new ConfigSynonym("unclean.leader.election.enable")),
        Topic(new("min.insync.replicas", ConfigType.Int, "1", "In-sync replicas needed for an acks=all produce to succeed.", AtLeast(1)), new ConfigSynonym("min.insync.replicas")),
        Topic(new("compression.type", ConfigType.String, "producer", "Compression of stored batches; producer keeps what the producer sent.", OneOf("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer")), new ConfigSynonym("compression.type")),
        Topic(new("compression.gzip.level", ConfigType.Int, "-1", "gzip level when compression.type is gzip.", MinusOneOrBetween(1, 9)), new ConfigSynonym("compression.gzip.level")),
        Topic(new("compression.lz4.level", ConfigType.Int, "9", "lz4 level when compression.type is lz4.", Between(1, 17)), new ConfigSynonym("compression.lz4.level")),
        Topic(new("compression.zstd.level", ConfigType.Int, "3", "zstd level when compression.type is zstd.", Between(-131072, 22)), new ConfigSynonym("compression.zstd.level")),
        Topic(new("preallocate", ConfigType.Boolean, "false", "Preallocate segment files."), new ConfigSynonym("log.preallocate")),
        Topic(new("message.timestamp.type", ConfigType.String, "CreateTime", "CreateTime keeps the producer's timestamp; LogAppendTime uses the broker's clock.", OneOf("CreateTime", "LogAppendTime")), new ConfigSynonym("log.message.timestamp.type")),
        Topic(new("message.timestamp.before.max.ms", ConfigType.Long, LongMax, "How far in the past a CreateTime timestamp may be.", AtLeast(0)), new ConfigSynonym("log.message.timestamp.before.max.ms")),
        Topic(new("message.timestamp.after.max.ms", ConfigType.Long, "3600000", "How far in the future a CreateTime timestamp may be.", AtLeast(0)), new ConfigSynonym("log.message.timestamp.after.max.ms")),
        Topic(new("local.retention.ms", ConfigType.Long, "-2", "Local retention time with tiered storage; -2 follows retention.ms.", AtLeast(-2)), new ConfigSynonym("log.local.retention.ms")),
        Topic(new("local.retention.bytes", ConfigType.Long, "-2", "Local retention size with tiered storage; -2 follows retention.bytes.", AtLeast(-2)), new ConfigSynonym("log.local.retention.bytes")),
        Topic(new("remote.storage.enable", ConfigType.Boolean, "false", "Move closed segments to tiered storage.")),
        Topic(new("remote.log.copy.disable", ConfigType.Boolean, "false", "Stop copying segments to tiered storage.")),
        Topic(new("remote.log.delete.on.disable", ConfigType.Boolean, "false", "Delete tiered data when tiered storage is disabled.")),
        Topic(new("leader.replication.throttled.replicas", ConfigType.List, "", "partition:broker pairs (or *) whose leader replication is throttled.", ThrottledReplicas())),
        Topic(new("follower.replication.throttled.replicas", ConfigType.List, "", "partition:broker pairs (or *) whose follower replication is throttled.", ThrottledReplicas())),
    ];

    private static readonly Dictionary<string, TopicConfigKey> ByName = All.ToDictionary(k => k.Name, StringComparer.Ordinal);

    public static TopicConfigKey? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>
    /// Checks topic overrides as CreateTopics and AlterConfigs receive them. Throws
    /// <see cref="ConfigException"/> whose message is the INVALID_CONFIG error message.
    /// </summary>
    public static void Validate(IEnumerable<KeyValuePair<string, string?>> overrides)
    {
        var parsed = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in overrides)
        {
            var key = Find(name) ?? throw new ConfigException(name, "Unknown topic config name");
            if (value is null)
                throw new ConfigException(name, "Null value not supported for topic configs");
            parsed[name] = key.Key.Parse(value);
        }
        if (parsed.GetValueOrDefault("min.compaction.lag.ms") is long min
            && parsed.GetValueOrDefault("max.compaction.lag.ms") is long max && min > max)
            throw new ConfigException("min.compaction.lag.ms", $"min.compaction.lag.ms ({min}) must not exceed max.compaction.lag.ms ({max})");
    }

    /// <summary>
    /// The DescribeConfigs view of every topic key: the topic's own override first, then each
    /// broker synonym that is set explicitly or has a default.
    /// </summary>
    public static IReadOnlyList<ConfigEntryView> Describe(BrokerConfig broker, IReadOnlyDictionary<string, string> overrides) =>
        All.Select(key => Describe(key, broker, overrides)).OrderBy(e => e.Name, StringComparer.Ordinal).ToArray();

    public static ConfigEntryView Describe(TopicConfigKey key, BrokerConfig broker, IReadOnlyDictionary<string, string> overrides)
    {
        var synonyms = new List<ConfigSynonymView>();
        if (overrides.TryGetValue(key.Name, out var own))
            synonyms.Add(new ConfigSynonymView(key.Name, own, ConfigEntrySource.DynamicTopicConfig));
        synonyms.AddRange(broker.SynonymViews(key.Synonyms));

        string? value;
        ConfigEntrySource source;
        if (own is not null)
            (value, source) = (own, ConfigEntrySource.DynamicTopicConfig);
        else if (broker.ResolveSynonyms(key.Synonyms) is { } resolved)
            (value, source) = (resolved.Value, resolved.Source);
        else
            (value, source) = (key.Key.DefaultValue, ConfigEntrySource.DefaultConfig);
        return new ConfigEntryView(key.Name, value, source, key.Key.IsSensitive, IsReadOnly: false,
            key.Key.Type, key.Key.Documentation, synonyms);
    }

    /// <summary>The typed settings of a topic: its overrides on top of the broker's defaults.</summary>
    public static TopicConfig Resolve(BrokerConfig broker, IReadOnlyDictionary<string, string> overrides)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var key in All)
            values[key.Name] = key.Key.Parse(Describe(key, broker, overrides).Value);
        return new TopicConfig(values);
    }

    private static TopicConfigKey Topic(ConfigKey key, params ConfigSynonym[] synonyms) => new(key, synonyms);

    /// <summary>Either "*" alone or partition:broker pairs.</summary>
    private static ConfigValidator ThrottledReplicas() => new(
        v => v is not IReadOnlyList<string> items || items.Count == 0
            || (items.Count == 1 && items[0] == "*")
            || items.All(i => PartitionBrokerPair().IsMatch(i))
                ? null
                : "Must be * or a list of partition:broker pairs, e.g. 0:101,1:102",
        "[partitionId]:[brokerId],[partitionId]:[brokerId],... or *");

    [GeneratedRegex(@"^[0-9]+:[0-9]+$")]
    private static partial Regex PartitionBrokerPair();
}
