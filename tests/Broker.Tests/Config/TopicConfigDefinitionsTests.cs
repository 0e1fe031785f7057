using Broker.Config;

namespace Broker.Broker.Tests.Config;

public class TopicConfigDefinitionsTests
{
    private static readonly IReadOnlyDictionary<string, string> NoOverrides = new Dictionary<string, string>();

    [Fact]
    public void Every_synonym_is_a_defined_broker_key_of_a_compatible_type()
    {
        foreach (var topicKey in TopicConfigDefinitions.All)
        {
            foreach (var synonym in topicKey.Synonyms)
            {
                var brokerKey = BrokerConfigDefinitions.Find(synonym.BrokerName);
                Assert.True(brokerKey is not null, $"{topicKey.Name} names unknown broker key {synonym.BrokerName}");
            }
        }
    }

    [Fact]
    public void Defaults_of_a_plain_broker_match_the_topic_key_defaults()
    {
        var broker = ConfigFixtures.Build();
        foreach (var entry in TopicConfigDefinitions.Describe(broker, NoOverrides))
        {
            var key = TopicConfigDefinitions.Find(entry.Name)!.Key;
            Assert.Equal(key.Parse(key.DefaultValue), key.Parse(entry.Value));
            Assert.Equal(ConfigEntrySource.DefaultConfig, entry.Source);
        }
    }

    [Fact]
    public void Retention_default_comes_from_log_retention_hours_converted_to_ms()
    {
        var entry = Describe(ConfigFixtures.Build(), "retention.ms");
        Assert.Equal("604800000", entry.Value);
        Assert.Equal(ConfigEntrySource.DefaultConfig, entry.Source);
        Assert.Equal([new ConfigSynonymView("log.retention.hours", "168", ConfigEntrySource.DefaultConfig)], entry.Synonyms);
    }

    [Fact]
    public void Static_broker_synonym_wins_over_later_synonyms_and_is_listed_first()
    {
        var entry = Describe(ConfigFixtures.Build(("log.retention.minutes", "10")), "retention.ms");
        Assert.Equal("600000", entry.Value);
        Assert.Equal(ConfigEntrySource.StaticBrokerConfig, entry.Source);
        Assert.Equal(
            [
                new ConfigSynonymView("log.retention.minutes", "10", ConfigEntrySource.StaticBrokerConfig),
                new ConfigSynonymView("log.retention.hours", "168", ConfigEntrySource.DefaultConfig),
            ],
            entry.Synonyms);
    }

    [Fact]
    public void Topic_override_wins_and_heads_the_synonyms()
    {
        var entry = TopicConfigDefinitions.Describe(TopicConfigDefinitions.Find("segment.bytes")!,
            ConfigFixtures.Build(("log.segment.bytes", "2097152")),
            new Dictionary<string, string> { ["segment.bytes"] = "3145728" });
        Assert.Equal("3145728", entry.Value);
        Assert.Equal(ConfigEntrySource.DynamicTopicConfig, entry.Source);
        Assert.Equal(ConfigEntrySource.DynamicTopicConfig, entry.Synonyms[0].Source);
        Assert.Equal(new ConfigSynonymView("log.segment.bytes", "2097152", ConfigEntrySource.StaticBrokerConfig), entry.Synonyms[1]);
    }

    [Fact]
    public void Resolve_combines_overrides_and_broker_defaults_into_typed_values()
    {
        var broker = ConfigFixtures.Build(("log.roll.hours", "1"), ("message.max.bytes", "2000000"), ("log.cleanup.policy", "compact"));
        var topic = TopicConfigDefinitions.Resolve(broker, new Dictionary<string, string>
        {
            ["retention.ms"] = "-1",
            ["message.timestamp.type"] = "LogAppendTime",
        });
        Assert.Equal(3_600_000, topic.SegmentMs);
        Assert.Equal(2_000_000, topic.MaxMessageBytes);
        Assert.Equal(-1, topic.RetentionMs);
        Assert.True(topic.Compact);
        Assert.False(topic.Delete);
        Assert.True(topic.LogAppendTime);
        Assert.Equal(3_600_000, topic.MessageTimestampAfterMaxMs);
        Assert.Equal(long.MaxValue, topic.FlushMessages);
        Assert.Equal("producer", topic.CompressionType);
    }

    [Fact]
    public void Unknown_topic_key_is_refused()
    {
        var error = Assert.Throws<ConfigException>(() => Validate(("retention.hours", "1")));
        Assert.Equal("retention.hours", error.Key);
        Assert.Contains("Unknown topic config name", error.Message);
    }

    [Theory]
    [InlineData("retention.ms", "-2", "at least -1")]
    [InlineData("segment.bytes", "100", "at least 1048576")]
    [InlineData("cleanup.policy", "compact,remove", "'remove' is not one of")]
    [InlineData("min.insync.replicas", "0", "at least 1")]
    [InlineData("max.message.bytes", "big", "INT")]
    [InlineData("compression.gzip.level", "0", "-1 or between 1 and 9")]
    [InlineData("message.timestamp.type", "NoTime", "CreateTime, LogAppendTime")]
    [InlineData("follower.replication.throttled.replicas", "0:1,x", "partition:broker")]
    public void Bad_topic_values_are_refused_with_a_reason(string key, string value, string reason)
    {
        var error = Assert.Throws<ConfigException>(() => Validate((key, value)));
        Assert.Equal(key, error.Key);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Null_topic_value_is_refused()
    {
        var error = Assert.Throws<ConfigException>(() => Validate(("retention.ms", null)));
        Assert.Contains("Null value", error.Message);
    }

    [Fact]
    public void Min_compaction_lag_may_not_exceed_max()
    {
        var error = Assert.Throws<ConfigException>(() => Validate(("min.compaction.lag.ms", "10"), ("max.compaction.lag.ms", "5")));
        Assert.Equal("min.compaction.lag.ms", error.Key);
    }

    [Fact]
    public void Valid_topic_overrides_pass()
    {
        Validate(("retention.ms", "-1"), ("cleanup.policy", "compact, delete"), ("leader.replication.throttled.replicas", "*"), ("compression.type", "zstd"));
    }

    private static void Validate(params (string Key, string? Value)[] overrides) =>
        TopicConfigDefinitions.Validate(overrides.Select(o => new KeyValuePair<string, string?>(o.Key, o.Value)));

    private static ConfigEntryView Describe(BrokerConfig broker, string name) =>
        TopicConfigDefinitions.Describe(TopicConfigDefinitions.Find(name)!, broker, NoOverrides);
}
