using System.Net;

namespace Broker.Config;

/// <summary>
/// The node's validated, typed configuration. Constructing one parses every known key and checks
/// the rules between keys, so an instance is always usable; a bad configuration throws a
/// <see cref="ConfigException"/> naming the key. Build it with <see cref="BrokerConfigLoader"/>
/// (file, environment, overrides) or <see cref="FromProperties"/> (tests, embedding).
/// </summary>
public sealed class BrokerConfig
{
    private readonly IReadOnlyDictionary<string, ConfigSetting> _explicit;
    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);

    public BrokerConfig(IReadOnlyDictionary<string, ConfigSetting> settings, bool isDevMode = false)
    {
        _explicit = new Dictionary<string, ConfigSetting>(settings, StringComparer.Ordinal);
        IsDevMode = isDevMode;
        foreach (var key in BrokerConfigDefinitions.All)
        {
            if (_explicit.TryGetValue(key.Name, out var setting))
                _values[key.Name] = key.Parse(setting.Value);
            else if (key.Required)
                throw new ConfigException(key.Name, "Missing required configuration, which has no default value");
            else
                _values[key.Name] = key.Parse(key.DefaultValue);
        }
        UnknownKeys = _explicit.Keys.Where(k => BrokerConfigDefinitions.Find(k) is null && !ConfigProviders.IsProviderKey(k))
            .Order(StringComparer.Ordinal).ToArray();

        Roles = ParseRoles(GetList("process.roles"));
        ControllerListenerNames = ConfigValueParser.SplitList(GetString("controller.listener.names") ?? "")
            .Select(n => n.ToUpperInvariant()).ToArray();
        Listeners = ListenerEndpoint.ParseList("listeners", GetString("listeners"));
        var advertised = ListenerEndpoint.ParseList("advertised.listeners", GetString("advertised.listeners"));
        ExplicitAdvertisedListeners = advertised;
        AdvertisedBrokerListeners = (advertised.Count > 0 ? advertised : Listeners)
            .Where(l => !ControllerListenerNames.Contains(l.ListenerName)).ToArray();
        AdvertisedControllerListeners = ControllerListenerNames
            .Select(name => advertised.FirstOrDefault(l => l.ListenerName == name) ?? Listeners.FirstOrDefault(l => l.ListenerName == name))
            .OfType<ListenerEndpoint>().ToArray();
        ListenerSecurityProtocols = EffectiveSecurityProtocols();
        InterBrokerListenerName = (GetString("inter.broker.listener.name") ?? GetString("security.inter.broker.protocol")!).ToUpperInvariant();
        QuorumVoters = QuorumVoter.ParseList("controller.quorum.voters", GetList("controller.quorum.voters"));
        QuorumBootstrapServers = GetList("controller.quorum.bootstrap.servers")
            .Select(s => HostPort.Parse("controller.quorum.bootstrap.servers", s))
            .Select(hp => new DnsEndPoint(hp.Host, hp.Port)).ToArray();
        LogDirs = _explicit.ContainsKey("log.dirs") ? GetList("log.dirs") : GetList("log.dir");
        MetadataLogDir = GetString("metadata.log.dir") ?? LogDirs.FirstOrDefault() ?? "";

        BrokerConfigValidator.Validate(this);
    }

    /// <summary>A configuration made of explicit key/value pairs on top of Kafka's defaults.</summary>
    public static BrokerConfig FromProperties(IReadOnlyDictionary<string, string> properties, ConfigOrigin origin = ConfigOrigin.PropertiesFile) =>
        new(properties.ToDictionary(p => p.Key, p => new ConfigSetting(p.Value, origin), StringComparer.Ordinal));

    /// <summary>True when started with no file and no KAFKA_* variable: the zero-config single node.</summary>
    public bool IsDevMode { get; }

    /// <summary>Keys that were given but are not known to this broker; reported at start.</summary>
    public IReadOnlyList<string> UnknownKeys { get; }

    public IReadOnlyDictionary<string, ConfigSetting> ExplicitSettings => _explicit;

    public ProcessRoles Roles { get; }
    public bool IsBroker => Roles.HasFlag(ProcessRoles.Broker);
    public bool IsController => Roles.HasFlag(ProcessRoles.Controller);
    public int NodeId => GetInt("node.id");

    /// <summary>Every address to bind, controller listeners included.</summary>
    public IReadOnlyList<ListenerEndpoint> Listeners { get; }

    /// <summary>advertised.listeners as given (empty when unset).</summary>
    public IReadOnlyList<ListenerEndpoint> ExplicitAdvertisedListeners { get; }

    /// <summary>What Metadata responses and broker registration publish: advertised.listeners, else listeners, without controller listeners.</summary>
    public IReadOnlyList<ListenerEndpoint> AdvertisedBrokerListeners { get; }

    /// <summary>The controller listeners as other nodes should reach them.</summary>
    public IReadOnlyList<ListenerEndpoint> AdvertisedControllerListeners { get; }

    /// <summary>Listener name → security protocol, including the PLAINTEXT Kafka assumes for unmapped controller listeners.</summary>
    public IReadOnlyDictionary<string, string> ListenerSecurityProtocols { get; }

    public IReadOnlyList<string> ControllerListenerNames { get; }
    public string InterBrokerListenerName { get; }
    public IReadOnlyList<QuorumVoter> QuorumVoters { get; }
    public IReadOnlyList<DnsEndPoint> QuorumBootstrapServers { get; }
    /// <summary>broker.rack; empty counts as none (a pod whose node has no zone label gets an empty value).</summary>
    public string? BrokerRack => GetString("broker.rack") is { Length: > 0 } rack ? rack : null;

    /// <summary>replica.selector.class names Kafka's rack-aware selector: consumers are sent to a replica in their rack.</summary>
    public bool RackAwareReplicaSelector => GetString("replica.selector.class") == "org.apache.kafka.common.replica.RackAwareReplicaSelector";
    public int NumNetworkThreads => GetInt("num.network.threads");
    public int NumIoThreads => GetInt("num.io.threads");
    public int SocketRequestMaxBytes => GetInt("socket.request.max.bytes");

    /// <summary>log.dirs, else log.dir, as configured (relative paths are relative to the working directory).</summary>
    public IReadOnlyList<string> LogDirs { get; }

    /// <summary>metadata.log.dir, else the first log directory.</summary>
    public string MetadataLogDir { get; }

    public int NumPartitions => GetInt("num.partitions");
    public int DefaultReplicationFactor => GetInt("default.replication.factor");
    public bool AutoCreateTopicsEnable => GetBoolean("auto.create.topics.enable");
    public int LogSegmentBytes => GetInt("log.segment.bytes");

    /// <summary>log.roll.ms, else log.roll.hours in milliseconds.</summary>
    public long LogRollMs => ResolveLong("segment.ms");

    public long LogRollJitterMs => ResolveLong("segment.jitter.ms");

    /// <summary>log.retention.ms, else .minutes, else .hours, in milliseconds; any negative value is -1 (unlimited).</summary>
    public long LogRetentionMs => ResolveLong("retention.ms");

    public long LogRetentionBytes => GetLong("log.retention.bytes");
    public long LogRetentionCheckIntervalMs => GetLong("log.retention.check.interval.ms");
    public int MessageMaxBytes => GetInt("message.max.bytes");
    public long LogFlushIntervalMessages => GetLong("log.flush.interval.messages");

    /// <summary>log.flush.interval.ms, else log.flush.scheduler.interval.ms.</summary>
    public long LogFlushIntervalMs => ResolveLong("flush.ms");

    public long LogFlushSchedulerIntervalMs => GetLong("log.flush.scheduler.interval.ms");
    public int LogIndexSizeMaxBytes => GetInt("log.index.size.max.bytes");
    public int LogIndexIntervalBytes => GetInt("log.index.interval.bytes");
    public int OffsetsTopicNumPartitions => GetInt("offsets.topic.num.partitions");
    public short OffsetsTopicReplicationFactor => GetShort("offsets.topic.replication.factor");
    public int GroupInitialRebalanceDelayMs => GetInt("group.initial.rebalance.delay.ms");
    public int ProducerIdExpirationMs => GetInt("producer.id.expiration.ms");
    public int ProducerIdExpirationCheckIntervalMs => GetInt("producer.id.expiration.check.interval.ms");

    /// <summary>Test fault injection only: every Nth produce request loses its response (0 = never).</summary>
    public int TestDropProduceResponseEvery => GetInt("test.fault.injection.drop.produce.response.every");

    /// <summary>The default settings of a topic with no overrides.</summary>
    public TopicConfig TopicDefaults => TopicConfigDefinitions.Resolve(this, new Dictionary<string, string>());

    /// <summary>A known key's typed value (null when unset and without default).</summary>
    public object? Get(string name) => _values.TryGetValue(name, out var value)
        ? value
        : throw new KeyNotFoundException($"{name} is not a broker configuration key known to BrokerConfigDefinitions.");

    public int GetInt(string name) => (int)Get(name)!;
    public short GetShort(string name) => (short)Get(name)!;
    public long GetLong(string name) => (long)Get(name)!;
    public double GetDouble(string name) => (double)Get(name)!;
    public bool GetBoolean(string name) => (bool)Get(name)!;
    public string? GetString(string name) => (string?)Get(name);
    public IReadOnlyList<string> GetList(string name) => (IReadOnlyList<string>?)Get(name) ?? [];

    /// <summary>The text of any explicitly given key, known or not.</summary>
    public string? GetRaw(string name) => _explicit.TryGetValue(name, out var setting) ? setting.Value : null;

    /// <summary>DescribeConfigs for the broker resource: every known key, its value and source.</summary>
    public IReadOnlyList<ConfigEntryView> Describe() => BrokerConfigDefinitions.All
        .Select(key =>
        {
            var synonyms = SynonymViews([new ConfigSynonym(key.Name)]).ToArray();
            var (value, source) = synonyms.Length > 0
                ? (synonyms[0].Value, synonyms[0].Source)
                : (null, ConfigEntrySource.DefaultConfig);
            return new ConfigEntryView(key.Name, key.IsSensitive ? null : value, source, key.IsSensitive,
                IsReadOnly: true, key.Type, key.Documentation, synonyms);
        })
        .OrderBy(e => e.Name, StringComparer.Ordinal)
        .ToArray();

    internal IEnumerable<ConfigSynonymView> SynonymViews(IReadOnlyList<ConfigSynonym> synonyms)
    {
        foreach (var synonym in synonyms)
        {
            if (_explicit.TryGetValue(synonym.BrokerName, out var setting))
                yield return new ConfigSynonymView(synonym.BrokerName, setting.Value, ConfigEntrySource.StaticBrokerConfig);
            if (BrokerConfigDefinitions.Find(synonym.BrokerName)?.DefaultValue is { } defaultValue)
                yield return new ConfigSynonymView(synonym.BrokerName, defaultValue, ConfigEntrySource.DefaultConfig);
        }
    }

    /// <summary>The first synonym that is set or has a default, converted to the topic key's unit.</summary>
    internal (string Value, ConfigEntrySource Source)? ResolveSynonyms(IReadOnlyList<ConfigSynonym> synonyms)
    {
        foreach (var synonym in synonyms)
        {
            if (_explicit.TryGetValue(synonym.BrokerName, out var setting))
                return (synonym.Apply(setting.Value), ConfigEntrySource.StaticBrokerConfig);
            if (BrokerConfigDefinitions.Find(synonym.BrokerName)?.DefaultValue is { } defaultValue)
                return (synonym.Apply(defaultValue), ConfigEntrySource.DefaultConfig);
        }
        return null;
    }

    private long ResolveLong(string topicKey)
    {
        var key = TopicConfigDefinitions.Find(topicKey)!;
        var resolved = ResolveSynonyms(key.Synonyms);
        return (long)ConfigValueParser.Parse(topicKey, ConfigType.Long, resolved?.Value ?? key.Key.DefaultValue)!;
    }

    private static ProcessRoles ParseRoles(IReadOnlyList<string> names)
    {
        var roles = ProcessRoles.None;
        foreach (var name in names)
        {
            var role = name == "broker" ? ProcessRoles.Broker : ProcessRoles.Controller;
            if (roles.HasFlag(role))
                throw new ConfigException("process.roles", string.Join(",", names), $"Role {name} is listed twice");
            roles |= role;
        }
        if (roles == ProcessRoles.None)
            throw new ConfigException("process.roles", "", "Must be broker, controller, or broker,controller");
        return roles;
    }

    /// <summary>
    /// Kafka maps an unmapped controller listener to PLAINTEXT as long as the operator left
    /// listener.security.protocol.map at its default, so the minimal KRaft config works.
    /// </summary>
    private IReadOnlyDictionary<string, string> EffectiveSecurityProtocols()
    {
        var map = new Dictionary<string, string>(SecurityProtocolMap.Parse(GetString(SecurityProtocolMap.Key)!), StringComparer.Ordinal);
        if (!_explicit.ContainsKey(SecurityProtocolMap.Key))
        {
            foreach (var name in ControllerListenerNames)
                map.TryAdd(name, "PLAINTEXT");
        }
        return map;
    }
}
