using Broker.Config;

namespace Broker.Broker.Tests.Config;

public class BrokerConfigTests
{
    private const long Hour = 60L * 60 * 1000;

    [Fact]
    public void Kafka_defaults_apply_to_keys_not_given()
    {
        var config = ConfigFixtures.Build();
        Assert.Equal(1, config.NumPartitions);
        Assert.Equal(1, config.DefaultReplicationFactor);
        Assert.True(config.AutoCreateTopicsEnable);
        Assert.Equal(1073741824, config.LogSegmentBytes);
        Assert.Equal(168 * Hour, config.LogRollMs);
        Assert.Equal(168 * Hour, config.LogRetentionMs);
        Assert.Equal(-1, config.LogRetentionBytes);
        Assert.Equal(300000, config.LogRetentionCheckIntervalMs);
        Assert.Equal(1048588, config.MessageMaxBytes);
        Assert.Equal(104857600, config.SocketRequestMaxBytes);
        Assert.Equal(long.MaxValue, config.LogFlushIntervalMessages);
        Assert.Equal(long.MaxValue, config.LogFlushIntervalMs);
        Assert.Equal(10485760, config.LogIndexSizeMaxBytes);
        Assert.Equal(4096, config.LogIndexIntervalBytes);
        Assert.Equal(50, config.OffsetsTopicNumPartitions);
        Assert.Equal(3, config.NumNetworkThreads);
        Assert.Equal(8, config.NumIoThreads);
        Assert.Null(config.BrokerRack);
    }

    [Fact]
    public void Kafka_defaults_for_internal_topics_apply_outside_dev_mode()
    {
        var config = ConfigFixtures.Build(("offsets.topic.replication.factor", null), ("group.initial.rebalance.delay.ms", null));
        Assert.Equal(3, config.OffsetsTopicReplicationFactor);
        Assert.Equal(3000, config.GroupInitialRebalanceDelayMs);
    }

    [Fact]
    public void Retention_ms_beats_minutes_beats_hours()
    {
        Assert.Equal(5 * Hour, ConfigFixtures.Build(("log.retention.hours", "5")).LogRetentionMs);
        Assert.Equal(7 * 60_000, ConfigFixtures.Build(("log.retention.hours", "5"), ("log.retention.minutes", "7")).LogRetentionMs);
        Assert.Equal(1234, ConfigFixtures.Build(("log.retention.hours", "5"), ("log.retention.minutes", "7"), ("log.retention.ms", "1234")).LogRetentionMs);
    }

    [Theory]
    [InlineData("log.retention.ms", "-5")]
    [InlineData("log.retention.minutes", "-1")]
    [InlineData("log.retention.hours", "-1")]
    public void Any_negative_retention_means_unlimited(string key, string value)
    {
        Assert.Equal(-1, ConfigFixtures.Build((key, value)).LogRetentionMs);
    }

    [Fact]
    public void Roll_ms_beats_roll_hours()
    {
        Assert.Equal(2 * Hour, ConfigFixtures.Build(("log.roll.hours", "2")).LogRollMs);
        Assert.Equal(500, ConfigFixtures.Build(("log.roll.hours", "2"), ("log.roll.ms", "500")).LogRollMs);
        Assert.Equal(3 * Hour, ConfigFixtures.Build(("log.roll.jitter.hours", "3")).LogRollJitterMs);
    }

    [Fact]
    public void Flush_interval_ms_falls_back_to_the_scheduler_interval()
    {
        Assert.Equal(777, ConfigFixtures.Build(("log.flush.scheduler.interval.ms", "777")).LogFlushIntervalMs);
        Assert.Equal(5, ConfigFixtures.Build(("log.flush.scheduler.interval.ms", "777"), ("log.flush.interval.ms", "5")).LogFlushIntervalMs);
    }

    [Fact]
    public void Log_dirs_beats_log_dir_and_metadata_dir_defaults_to_the_first()
    {
        var onlyDir = ConfigFixtures.Build(("log.dirs", null), ("log.dir", "/a"));
        Assert.Equal(["/a"], onlyDir.LogDirs);
        var both = ConfigFixtures.Build(("log.dirs", "/b, /c"), ("log.dir", "/a"));
        Assert.Equal(["/b", "/c"], both.LogDirs);
        Assert.Equal("/b", both.MetadataLogDir);
        Assert.Equal("/m", ConfigFixtures.Build(("metadata.log.dir", "/m")).MetadataLogDir);
        Assert.Equal(["/tmp/kafka-logs"], ConfigFixtures.Build(("log.dirs", null)).LogDirs);
    }

    [Fact]
    public void Values_are_trimmed_and_booleans_case_insensitive()
    {
        var config = ConfigFixtures.Build(("num.partitions", "  4 "), ("auto.create.topics.enable", "FALSE"));
        Assert.Equal(4, config.NumPartitions);
        Assert.False(config.AutoCreateTopicsEnable);
    }

    [Fact]
    public void Listeners_parse_into_endpoints_with_upper_case_names()
    {
        var config = ConfigFixtures.Build(
            ("listeners", "plaintext://:9092, CONTROLLER://[::1]:9093"),
            ("advertised.listeners", "PLAINTEXT://broker1.example:19092"));
        Assert.Equal(new ListenerEndpoint("PLAINTEXT", "", 9092), config.Listeners[0]);
        Assert.Equal(new ListenerEndpoint("CONTROLLER", "::1", 9093), config.Listeners[1]);
        Assert.True(config.Listeners[0].BindsAllInterfaces);
        Assert.Equal("CONTROLLER://[::1]:9093", config.Listeners[1].ToString());
        Assert.Equal([new ListenerEndpoint("PLAINTEXT", "broker1.example", 19092)], config.AdvertisedBrokerListeners);
        Assert.Equal([new ListenerEndpoint("CONTROLLER", "::1", 9093)], config.AdvertisedControllerListeners);
        Assert.Equal("PLAINTEXT", config.InterBrokerListenerName);
    }

    [Fact]
    public void Advertised_listeners_default_to_listeners_without_controller_listeners()
    {
        var config = ConfigFixtures.Build();
        Assert.Equal([new ListenerEndpoint("PLAINTEXT", "localhost", 9092)], config.AdvertisedBrokerListeners);
    }

    [Fact]
    public void Quorum_voters_and_roles_parse()
    {
        var config = ConfigFixtures.Build(("controller.quorum.voters", "1@localhost:9093,2@[::1]:9094"));
        Assert.Equal([new QuorumVoter(1, "localhost", 9093), new QuorumVoter(2, "::1", 9094)], config.QuorumVoters);
        Assert.Equal("2@[::1]:9094", config.QuorumVoters[1].ToString());
        Assert.Equal(ProcessRoles.Broker | ProcessRoles.Controller, config.Roles);
        Assert.True(config.IsBroker && config.IsController);
    }

    [Fact]
    public void Unmapped_controller_listener_is_plaintext_when_the_map_is_left_at_its_default()
    {
        var config = ConfigFixtures.Build(("listener.security.protocol.map", null));
        Assert.Equal("PLAINTEXT", config.ListenerSecurityProtocols["CONTROLLER"]);
    }

    [Fact]
    public void Unknown_keys_are_kept_and_reported()
    {
        var config = ConfigFixtures.Build(("my.custom.key", "x"));
        Assert.Equal(["my.custom.key"], config.UnknownKeys);
        Assert.Equal("x", config.GetRaw("my.custom.key"));
    }

    [Fact]
    public void Every_typed_accessor_reads_a_defined_key()
    {
        var config = ConfigFixtures.Build();
        foreach (var property in typeof(BrokerConfig).GetProperties())
            _ = property.GetValue(config);
        Assert.Throws<KeyNotFoundException>(() => config.Get("no.such.key"));
    }

    [Fact]
    public void Describe_reports_source_and_default_synonym()
    {
        var config = ConfigFixtures.Build(("num.partitions", "3"));
        var entries = config.Describe().ToDictionary(e => e.Name);
        Assert.Equal("3", entries["num.partitions"].Value);
        Assert.Equal(ConfigEntrySource.StaticBrokerConfig, entries["num.partitions"].Source);
        Assert.Equal(
            [new ConfigSynonymView("num.partitions", "3", ConfigEntrySource.StaticBrokerConfig), new ConfigSynonymView("num.partitions", "1", ConfigEntrySource.DefaultConfig)],
            entries["num.partitions"].Synonyms);
        Assert.Equal(ConfigEntrySource.DefaultConfig, entries["log.segment.bytes"].Source);
        Assert.Equal("1073741824", entries["log.segment.bytes"].Value);
    }
}
