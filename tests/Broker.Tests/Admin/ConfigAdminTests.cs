using System.Text.Json.Nodes;
using Broker.Broker.Tests.EndToEnd;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Xunit.Abstractions;
using static Broker.Broker.Tests.Admin.AdminClients;

namespace Broker.Broker.Tests.Admin;

/// <summary>DescribeConfigs, AlterConfigs and IncrementalAlterConfigs as clients see them: values, sources, errors.</summary>
public sealed class ConfigAdminTests(SharedBroker shared, ITestOutputHelper output) : EndToEndTest(output), IClassFixture<SharedBroker>
{
    // DescribeConfigs' ConfigSource codes.
    private const int DynamicTopic = 1, StaticBroker = 4, Default = 5;

    private readonly E2EBroker _broker = shared.Broker;

    [Fact]
    public async Task Confluent_describes_topic_overrides_defaults_and_their_broker_synonyms()
    {
        Watch(_broker);
        var topic = UniqueTopic("describe");
        Assert.Null(Error(await ConfluentOneAsync(_broker, "create", "--topic", topic, "--config", "retention.ms=5000", "--config", "cleanup.policy=compact")));

        var entries = await DescribeAsync(topic);

        var retention = entries["retention.ms"];
        Assert.Equal("5000", (string?)retention["value"]);
        Assert.Equal(DynamicTopic, (int)retention["source"]!);
        Assert.False((bool)retention["is_default"]!);
        Assert.False((bool)retention["read_only"]!);
        Assert.Equal(["retention.ms", "log.retention.hours"], Synonyms(retention).Select(s => s.Name));
        Assert.Equal(("log.retention.hours", "168", Default), Synonyms(retention)[1]);

        var segment = entries["segment.bytes"];
        Assert.Equal("1073741824", (string?)segment["value"]);
        Assert.Equal(Default, (int)segment["source"]!);
        Assert.True((bool)segment["is_default"]!);
        Assert.Equal("compact", (string?)entries["cleanup.policy"]["value"]);
        Assert.Contains("max.message.bytes", entries.Keys);
    }

    [Fact]
    public async Task Confluent_describes_the_broker_with_its_static_settings()
    {
        Watch(_broker);
        var entries = await DescribeAsync("1", "broker");

        var nodeId = entries["node.id"];
        Assert.Equal("1", (string?)nodeId["value"]);
        Assert.Equal(StaticBroker, (int)nodeId["source"]!);
        Assert.True((bool)nodeId["read_only"]!);
        Assert.Equal(_broker.DataDir, (string?)entries["log.dirs"]["value"]);
        Assert.Equal(Default, (int)entries["num.partitions"]["source"]!);
        Assert.Equal("1", (string?)entries["num.partitions"]["value"]);
    }

    [Fact]
    public async Task Confluent_is_told_an_unknown_topic_does_not_exist()
    {
        Watch(_broker);
        var result = await ConfluentOneAsync(_broker, "describe-configs", "--name", UniqueTopic("missing"));
        Assert.Equal("UNKNOWN_TOPIC_OR_PART", Error(result));
    }

    [Fact]
    public async Task Confluent_alter_configs_replaces_every_override_and_validate_only_changes_nothing()
    {
        Watch(_broker);
        var topic = UniqueTopic("legacy-alter");
        Assert.Null(Error(await ConfluentOneAsync(_broker, "create", "--topic", topic, "--config", "retention.ms=5000")));

        Assert.Null(Error(await ConfluentOneAsync(_broker, "alter-configs", "--name", topic, "--set", "segment.ms=7200000", "--validate-only")));
        Assert.Equal("604800000", (string?)(await DescribeAsync(topic))["segment.ms"]["value"]);

        Assert.Null(Error(await ConfluentOneAsync(_broker, "alter-configs", "--name", topic, "--set", "segment.ms=7200000")));
        var entries = await DescribeAsync(topic);
        Assert.Equal("7200000", (string?)entries["segment.ms"]["value"]);
        Assert.Equal(DynamicTopic, (int)entries["segment.ms"]["source"]!);
        // The legacy API sets the whole set: retention.ms was not in it, so its override is gone.
        Assert.Equal("604800000", (string?)entries["retention.ms"]["value"]);
        Assert.Equal(Default, (int)entries["retention.ms"]["source"]!);
    }

    [Theory]
    [InlineData("retention.ms=forever", "retention.ms")]
    [InlineData("no.such.config=1", "no.such.config")]
    [InlineData("cleanup.policy=shred", "cleanup.policy")]
    [InlineData("min.insync.replicas=0", "min.insync.replicas")]
    public async Task Confluent_gets_invalid_config_naming_the_key(string setting, string key)
    {
        Watch(_broker);
        var topic = UniqueTopic("invalid");
        await _broker.CreateTopicAsync(topic, 1);

        var result = await ConfluentOneAsync(_broker, "alter-configs", "--name", topic, "--set", setting);

        Assert.Equal("INVALID_CONFIG", Error(result));
        Assert.Contains(key, (string?)result["message"]);
    }

    [Fact]
    public async Task Confluent_alter_of_an_unknown_topic_is_unknown_topic()
    {
        Watch(_broker);
        var result = await ConfluentOneAsync(_broker, "alter-configs", "--name", UniqueTopic("nowhere"), "--set", "retention.ms=1");
        Assert.Equal("UNKNOWN_TOPIC_OR_PART", Error(result));
    }

    [Fact]
    public async Task Kafkajs_alters_and_describes_a_topic_config()
    {
        Watch(_broker);
        var topic = UniqueTopic("kafkajs-config");
        await _broker.CreateTopicAsync(topic, 1);

        Assert.Null(Error(await KafkaJsOneAsync(_broker, "alter-configs", "--topic", topic, "--set", "max.message.bytes=2048")));
        var entry = Assert.Single(await KafkaJsAsync(_broker, "describe-configs", "--topic", topic), e => (string?)e["name"] == "max.message.bytes");
        Assert.Equal("2048", (string?)entry["value"]);
        Assert.False((bool)entry["isDefault"]!);
        Assert.Equal(DynamicTopic, (int)entry["source"]!);

        Assert.Equal("INVALID_CONFIG", Error(await KafkaJsOneAsync(_broker, "alter-configs", "--topic", topic, "--set", "max.message.bytes=big")));
    }

    [Fact]
    public async Task Incremental_alter_sets_deletes_appends_and_subtracts()
    {
        Watch(_broker);
        var topic = UniqueTopic("incremental");
        Assert.Null(Error(await ConfluentOneAsync(_broker, "create", "--topic", topic, "--config", "retention.ms=5000")));

        Assert.Equal(ErrorCode.None, await IncrementalAsync(topic, false, (Set, "segment.ms", "60000"), (Delete, "retention.ms", null), (Append, "cleanup.policy", "compact")));
        var entries = await DescribeAsync(topic);
        Assert.Equal("60000", (string?)entries["segment.ms"]["value"]);
        Assert.Equal(Default, (int)entries["retention.ms"]["source"]!);
        // APPEND starts from the key's default when the topic has no override.
        Assert.Equal("delete,compact", (string?)entries["cleanup.policy"]["value"]);

        Assert.Equal(ErrorCode.None, await IncrementalAsync(topic, false, (Subtract, "cleanup.policy", "delete")));
        Assert.Equal("compact", (string?)(await DescribeAsync(topic))["cleanup.policy"]["value"]);

        Assert.Equal(ErrorCode.None, await IncrementalAsync(topic, true, (Set, "segment.ms", "120000")));
        Assert.Equal("60000", (string?)(await DescribeAsync(topic))["segment.ms"]["value"]);
    }

    [Fact]
    public async Task Incremental_alter_refuses_bad_operations_with_kafkas_errors()
    {
        Watch(_broker);
        var topic = UniqueTopic("incremental-bad");
        await _broker.CreateTopicAsync(topic, 1);

        Assert.Equal(ErrorCode.InvalidConfig, await IncrementalAsync(topic, false, (Append, "retention.ms", "5")));
        Assert.Equal(ErrorCode.InvalidConfig, await IncrementalAsync(topic, false, (Set, "retention.ms", "soon")));
        Assert.Equal(ErrorCode.InvalidRequest, await IncrementalAsync(topic, false, (Set, "retention.ms", "1"), (Delete, "retention.ms", null)));
        Assert.Equal(ErrorCode.InvalidRequest, await IncrementalAsync(topic, false, (9, "retention.ms", "1")));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, await IncrementalAsync(UniqueTopic("absent"), false, (Set, "retention.ms", "1")));
        // Nothing of the refused requests landed.
        Assert.Equal(Default, (int)(await DescribeAsync(topic))["retention.ms"]["source"]!);
    }

    [Fact]
    public async Task Broker_configs_are_not_alterable_yet_and_say_so()
    {
        Watch(_broker);
        using var connection = await _broker.ConnectAsync();
        var request = new IncrementalAlterConfigsRequest
        {
            Resources = [new IncrementalAlterConfigsRequest.AlterConfigsResource
            {
                ResourceType = 4, ResourceName = "1",
                Configs = [new IncrementalAlterConfigsRequest.AlterableConfig { Name = "log.retention.ms", ConfigOperation = Set, Value = "1000" }],
            }],
        };
        var result = Assert.Single((await connection.RequestAsync<IncrementalAlterConfigsResponse>(request, 1)).Responses);
        Assert.Equal((short)ErrorCode.InvalidRequest, result.ErrorCode);
        Assert.Contains("not supported", result.ErrorMessage);
    }

    [Theory]
    [InlineData((short)1)]
    [InlineData((short)4)]
    public async Task Describe_configs_sends_synonyms_and_documentation_only_when_asked(short version)
    {
        Watch(_broker);
        var topic = UniqueTopic("describe-raw");
        await _broker.CreateTopicAsync(topic, 1);
        using var connection = await _broker.ConnectAsync();
        DescribeConfigsRequest Request(bool synonyms, bool documentation) => new()
        {
            Resources = [new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = 2, ResourceName = topic, ConfigurationKeys = ["segment.bytes", "no.such.key"] }],
            IncludeSynonyms = synonyms,
            IncludeDocumentation = documentation,
        };

        var plain = Assert.Single(Assert.Single((await connection.RequestAsync<DescribeConfigsResponse>(Request(false, false), version)).Results).Configs);
        Assert.Equal("segment.bytes", plain.Name);
        Assert.Empty(plain.Synonyms);
        if (version >= 3)
            Assert.Null(plain.Documentation);

        var full = Assert.Single(Assert.Single((await connection.RequestAsync<DescribeConfigsResponse>(Request(true, true), version)).Results).Configs);
        Assert.Equal("log.segment.bytes", Assert.Single(full.Synonyms).Name);
        if (version >= 3)
        {
            Assert.False(string.IsNullOrEmpty(full.Documentation));
            Assert.Equal(3, full.ConfigType); // INT
        }
    }

    [Theory]
    [InlineData("7", ErrorCode.InvalidRequest)]
    [InlineData("one", ErrorCode.InvalidRequest)]
    [InlineData("", ErrorCode.None)]
    public async Task Describe_configs_of_another_broker_id_is_an_invalid_request(string name, ErrorCode expected)
    {
        Watch(_broker);
        using var connection = await _broker.ConnectAsync();
        var response = await connection.RequestAsync<DescribeConfigsResponse>(new DescribeConfigsRequest
        {
            Resources = [new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = 4, ResourceName = name, ConfigurationKeys = null }],
        }, 4);
        var result = Assert.Single(response.Results);
        Assert.Equal((short)expected, result.ErrorCode);
        // The cluster-wide default ("") holds only dynamic defaults, of which there are none.
        Assert.Empty(result.Configs);
    }

    private const sbyte Set = 0, Delete = 1, Append = 2, Subtract = 3;

    private async Task<ErrorCode> IncrementalAsync(string topic, bool validateOnly, params (sbyte Op, string Name, string? Value)[] ops)
    {
        using var connection = await _broker.ConnectAsync();
        var resource = new IncrementalAlterConfigsRequest.AlterConfigsResource { ResourceType = 2, ResourceName = topic };
        foreach (var (op, name, value) in ops)
            resource.Configs.Add(new IncrementalAlterConfigsRequest.AlterableConfig { Name = name, ConfigOperation = op, Value = value });
        var response = await connection.RequestAsync<IncrementalAlterConfigsResponse>(
            new IncrementalAlterConfigsRequest { Resources = [resource], ValidateOnly = validateOnly }, 1);
        var result = Assert.Single(response.Responses);
        if (result.ErrorCode != 0)
            Output.WriteLine($"{(ErrorCode)result.ErrorCode}: {result.ErrorMessage}");
        return (ErrorCode)result.ErrorCode;
    }

    private async Task<Dictionary<string, JsonNode>> DescribeAsync(string name, string type = "topic")
    {
        var lines = await ConfluentAsync(_broker, "describe-configs", "--type", type, "--name", name);
        if (lines.Count == 1 && lines[0]["error"] is not null)
            throw new Xunit.Sdk.XunitException($"describe-configs {type} {name}: {lines[0]}");
        return lines.ToDictionary(l => (string)l["name"]!);
    }

    private static List<(string Name, string? Value, int Source)> Synonyms(JsonNode entry) =>
        entry["synonyms"]!.AsArray().Select(s => ((string)s![0]!, (string?)s[1], (int)s[2]!)).ToList();
}
