using Broker.Config;
using Broker.Metadata;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Cli;

/// <summary>A topic command the broker refused; the message is what the user sees.</summary>
public sealed class TopicCommandException(string message) : Exception(message);

/// <summary>
/// The <c>topics</c> command: a small Kafka admin client. Output follows kafka-topics.sh so
/// scripts written against it keep working: "Created topic t.", one name per line for list, and
/// the tab-separated Topic/Partition lines for describe.
/// </summary>
public static class TopicsTool
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(TopicsCommand command, TextWriter output, TextWriter error)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        try
        {
            await using var connection = await KafkaConnection.ConnectAsync(command.BootstrapServers, "broker-topics-cli", deadline.Token).ConfigureAwait(false);
            var client = new TopicsClient(connection, deadline.Token);
            switch (command.Action)
            {
                case TopicsAction.Create:
                    await CreateAsync(client, command, output).ConfigureAwait(false);
                    break;
                case TopicsAction.List:
                    foreach (var topic in (await client.MetadataAsync(null).ConfigureAwait(false)).Topics
                                 .Where(t => !(command.ExcludeInternal && t.IsInternal)).Select(t => t.Name!).Order(StringComparer.Ordinal))
                        output.WriteLine(topic);
                    break;
                case TopicsAction.Describe:
                    await DescribeAsync(client, command, output).ConfigureAwait(false);
                    break;
                case TopicsAction.Delete:
                    await DeleteAsync(client, command, output).ConfigureAwait(false);
                    break;
                case TopicsAction.Alter:
                    await client.CreatePartitionsAsync(command.Topic!, command.Partitions!.Value).ConfigureAwait(false);
                    output.WriteLine($"Increased the partition count of topic {command.Topic} to {command.Partitions}.");
                    break;
                case TopicsAction.AlterConfig:
                    await client.AlterConfigsAsync(command.Topic!, command.AddConfigs, command.DeleteConfigs).ConfigureAwait(false);
                    output.WriteLine($"Completed updating config for topic {command.Topic}.");
                    break;
            }
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is TopicCommandException or KafkaClientException or ProtocolException)
        {
            error.WriteLine($"Error while executing topic command : {e.Message}");
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            error.WriteLine($"Error while executing topic command : no answer from the broker within {Timeout.TotalSeconds:0} s.");
            return ExitCodes.Failed;
        }
    }

    private static async Task CreateAsync(TopicsClient client, TopicsCommand command, TextWriter output)
    {
        var result = await client.CreateTopicAsync(command.Topic!, command.Partitions ?? -1, command.ReplicationFactor ?? -1, command.Configs).ConfigureAwait(false);
        if (result.ErrorCode == (short)ErrorCode.TopicAlreadyExists && command.IfNotExists)
            return;
        if (result.ErrorCode != 0)
            throw new TopicCommandException(ErrorNames.Describe(result.ErrorCode, result.ErrorMessage));
        output.WriteLine($"Created topic {command.Topic}.");
    }

    private static async Task DeleteAsync(TopicsClient client, TopicsCommand command, TextWriter output)
    {
        var result = await client.DeleteTopicAsync(command.Topic!).ConfigureAwait(false);
        if (result.ErrorCode == (short)ErrorCode.UnknownTopicOrPartition)
        {
            if (command.IfExists)
                return;
            throw new TopicCommandException($"Topic '{command.Topic}' does not exist as expected");
        }
        if (result.ErrorCode != 0)
            throw new TopicCommandException(ErrorNames.Describe(result.ErrorCode, result.ErrorMessage));
        output.WriteLine($"Deleted topic {command.Topic}.");
    }

    private static async Task DescribeAsync(TopicsClient client, TopicsCommand command, TextWriter output)
    {
        var metadata = await client.MetadataAsync(command.Topic is null ? null : [command.Topic]).ConfigureAwait(false);
        var topics = metadata.Topics.Where(t => !(command.ExcludeInternal && t.IsInternal)).OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        foreach (var topic in topics)
        {
            if (topic.ErrorCode == (short)ErrorCode.UnknownTopicOrPartition)
                throw new TopicCommandException($"Topic '{topic.Name}' does not exist as expected");
            if (topic.ErrorCode != 0)
                throw new TopicCommandException(ErrorNames.Describe(topic.ErrorCode, null));
        }
        var configs = await client.TopicConfigsAsync(topics.Select(t => t.Name!).ToArray()).ConfigureAwait(false);
        var live = metadata.Brokers.Select(b => b.NodeId).ToHashSet();
        foreach (var topic in topics)
        {
            var partitions = topic.Partitions.OrderBy(p => p.PartitionIndex).ToList();
            var replication = partitions.Count > 0 ? partitions[0].ReplicaNodes.Count : 0;
            var topicConfigs = configs.GetValueOrDefault(topic.Name!, []);
            if (command.Report == PartitionReport.All)
            {
                // As kafka-topics.sh: the topic line lists only the topic's own overrides, and a replication report prints partitions alone.
                var overrides = string.Join(",", topicConfigs.Where(c => c.Override).Select(c => $"{c.Name}={c.Value}"));
                output.WriteLine($"Topic: {topic.Name}\tTopicId: {topic.TopicId}\tPartitionCount: {partitions.Count}\tReplicationFactor: {replication}\tConfigs: {overrides}");
            }
            var minIsr = int.TryParse(topicConfigs.FirstOrDefault(c => c.Name == "min.insync.replicas").Value, out var m) ? m : 1;
            foreach (var p in partitions.Where(p => Reported(command.Report, p, minIsr, live)))
                output.WriteLine($"\tTopic: {topic.Name}\tPartition: {p.PartitionIndex}\tLeader: {(p.LeaderId < 0 ? "none" : p.LeaderId.ToString(System.Globalization.CultureInfo.InvariantCulture))}"
                    + $"\tReplicas: {string.Join(",", p.ReplicaNodes)}\tIsr: {string.Join(",", p.IsrNodes)}");
        }
    }

    /// <summary>Whether a partition belongs in the report, by kafka-topics.sh's definitions.</summary>
    private static bool Reported(PartitionReport report, MetadataResponse.MetadataResponsePartition p, int minIsr, HashSet<int> live)
    {
        var hasLeader = p.LeaderId >= 0;
        return report switch
        {
            PartitionReport.UnderReplicated => hasLeader && p.IsrNodes.Count < p.ReplicaNodes.Count,
            PartitionReport.UnderMinIsr => !hasLeader || p.IsrNodes.Count < minIsr,
            PartitionReport.AtMinIsr => p.IsrNodes.Count == minIsr,
            PartitionReport.Unavailable => !hasLeader || !live.Contains(p.LeaderId),
            _ => true,
        };
    }
}

/// <summary>The requests the topics command makes, each checked for a request-level failure.</summary>
internal sealed class TopicsClient(KafkaConnection connection, CancellationToken cancel)
{
    public Task<MetadataResponse> MetadataAsync(IReadOnlyList<string>? topics)
    {
        var request = new MetadataRequest
        {
            AllowAutoTopicCreation = false,
            Topics = topics?.Select(t => new MetadataRequest.MetadataRequestTopic { Name = t }).ToList(),
        };
        return connection.SendAsync<MetadataResponse>(request, cancel);
    }

    public async Task<CreateTopicsResponse.CreatableTopicResult> CreateTopicAsync(
        string topic, int partitions, short replication, IReadOnlyList<KeyValuePair<string, string>> configs)
    {
        var creatable = new CreateTopicsRequest.CreatableTopic { Name = topic, NumPartitions = partitions, ReplicationFactor = replication };
        foreach (var (name, value) in configs)
            creatable.Configs.Add(new CreateTopicsRequest.CreatableTopicConfig { Name = name, Value = value });
        var request = new CreateTopicsRequest { timeoutMs = 30_000 };
        request.Topics.Add(creatable);
        var response = await connection.SendAsync<CreateTopicsResponse>(request, cancel).ConfigureAwait(false);
        return response.Topics.Single();
    }

    public async Task<DeleteTopicsResponse.DeletableTopicResult> DeleteTopicAsync(string topic)
    {
        var request = new DeleteTopicsRequest { TimeoutMs = 30_000 };
        if (connection.VersionFor(ApiKey.DeleteTopics) >= 6)
            request.Topics.Add(new DeleteTopicsRequest.DeleteTopicState { Name = topic });
        else
            request.TopicNames.Add(topic);
        var response = await connection.SendAsync<DeleteTopicsResponse>(request, cancel).ConfigureAwait(false);
        return response.Responses.Single();
    }

    public async Task CreatePartitionsAsync(string topic, int count)
    {
        var request = new CreatePartitionsRequest { TimeoutMs = 30_000 };
        request.Topics.Add(new CreatePartitionsRequest.CreatePartitionsTopic { Name = topic, Count = count, Assignments = null });
        var result = (await connection.SendAsync<CreatePartitionsResponse>(request, cancel).ConfigureAwait(false)).Results.Single();
        if (result.ErrorCode != 0)
            throw new TopicCommandException(ErrorNames.Describe(result.ErrorCode, result.ErrorMessage));
    }

    /// <summary>Every config of each topic with its value, and whether it is the topic's own override (what kafka-topics.sh lists under Configs).</summary>
    public async Task<Dictionary<string, List<(string Name, string? Value, bool Override)>>> TopicConfigsAsync(IReadOnlyList<string> topics)
    {
        var result = new Dictionary<string, List<(string Name, string? Value, bool Override)>>(StringComparer.Ordinal);
        if (topics.Count == 0)
            return result;
        var request = new DescribeConfigsRequest();
        foreach (var topic in topics)
            request.Resources.Add(new DescribeConfigsRequest.DescribeConfigsResource
            {
                ResourceType = (sbyte)ConfigResourceType.Topic, ResourceName = topic, ConfigurationKeys = null,
            });
        var response = await connection.SendAsync<DescribeConfigsResponse>(request, cancel).ConfigureAwait(false);
        foreach (var resource in response.Results.Where(r => r.ErrorCode == 0))
            result[resource.ResourceName] = resource.Configs
                .Select(c => (c.Name, c.IsSensitive ? null : c.Value, c.ConfigSource == (sbyte)ConfigEntrySource.DynamicTopicConfig))
                .OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        return result;
    }

    public async Task AlterConfigsAsync(string topic, IReadOnlyList<KeyValuePair<string, string>> set, IReadOnlyList<string> delete)
    {
        var resource = new IncrementalAlterConfigsRequest.AlterConfigsResource { ResourceType = (sbyte)ConfigResourceType.Topic, ResourceName = topic };
        foreach (var (name, value) in set)
            resource.Configs.Add(new IncrementalAlterConfigsRequest.AlterableConfig { Name = name, ConfigOperation = 0, Value = value });
        foreach (var name in delete)
            resource.Configs.Add(new IncrementalAlterConfigsRequest.AlterableConfig { Name = name, ConfigOperation = 1, Value = null });
        var request = new IncrementalAlterConfigsRequest();
        request.Resources.Add(resource);
        var result = (await connection.SendAsync<IncrementalAlterConfigsResponse>(request, cancel).ConfigureAwait(false)).Responses.Single();
        if (result.ErrorCode != 0)
            throw new TopicCommandException(ErrorNames.Describe(result.ErrorCode, result.ErrorMessage));
    }
}
