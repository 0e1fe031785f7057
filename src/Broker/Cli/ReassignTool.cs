using System.Text.Json;
using System.Text.Json.Nodes;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Cli;

/// <summary>
/// The <c>reassign</c> command, shaped like kafka-reassign-partitions.sh: generate a proposal,
/// execute it (printing the current assignment to roll back to), verify progress, cancel. Files
/// and printed assignments are Kafka's JSON, so plans written for Kafka work unchanged.
/// </summary>
public static class ReassignTool
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private sealed class ReassignException(string message) : Exception(message);

    private readonly record struct Move(string Topic, int Partition, int[] Replicas);

    public static async Task<int> RunAsync(ReassignCommand command, TextWriter output, TextWriter error)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        try
        {
            var json = JsonNode.Parse(await File.ReadAllTextAsync(command.JsonFile, deadline.Token).ConfigureAwait(false))
                ?? throw new ReassignException($"{command.JsonFile} is empty.");
            await using var connection = await KafkaConnection.ConnectAsync(command.BootstrapServers, "broker-reassign-cli", deadline.Token).ConfigureAwait(false);
            switch (command.Action)
            {
                case ReassignAction.Generate:
                    await GenerateAsync(connection, json, command.BrokerList, output, deadline.Token).ConfigureAwait(false);
                    return ExitCodes.Ok;
                case ReassignAction.Execute:
                    return await ExecuteAsync(connection, Moves(json), output, error, deadline.Token).ConfigureAwait(false);
                case ReassignAction.Verify:
                    await VerifyAsync(connection, Moves(json), output, deadline.Token).ConfigureAwait(false);
                    return ExitCodes.Ok;
                default:
                    return await CancelAsync(connection, Moves(json), output, error, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is ReassignException or KafkaClientException or ProtocolException or JsonException or FileNotFoundException
                                      or InvalidOperationException or FormatException)
        {
            error.WriteLine($"Error: {e.Message}");
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            error.WriteLine($"Error: no answer from the broker within {Timeout.TotalSeconds:0} s.");
            return ExitCodes.Failed;
        }
    }

    private static List<Move> Moves(JsonNode json) =>
        (json["partitions"] as JsonArray ?? throw new ReassignException("The reassignment file has no \"partitions\" list."))
        .Select(p => new Move((string)p!["topic"]!, (int)p["partition"]!, p["replicas"]!.AsArray().Select(r => (int)r!).ToArray())).ToList();

    private static string ToJson(IEnumerable<Move> moves) => new JsonObject
    {
        ["version"] = 1,
        ["partitions"] = new JsonArray([.. moves.Select(m => (JsonNode)new JsonObject
        {
            ["topic"] = m.Topic,
            ["partition"] = m.Partition,
            ["replicas"] = new JsonArray([.. m.Replicas.Select(r => (JsonNode)r)]),
            ["log_dirs"] = new JsonArray([.. m.Replicas.Select(_ => (JsonNode)"any")]),
        })]),
    }.ToJsonString();

    private static async Task<List<Move>> CurrentAsync(KafkaConnection connection, IEnumerable<string> topics, CancellationToken cancel)
    {
        var metadata = await connection.SendAsync<MetadataResponse>(new MetadataRequest
        {
            AllowAutoTopicCreation = false,
            Topics = topics.Distinct().Select(t => new MetadataRequest.MetadataRequestTopic { Name = t }).ToList(),
        }, cancel).ConfigureAwait(false);
        var missing = metadata.Topics.FirstOrDefault(t => t.ErrorCode != 0);
        if (missing is not null)
            throw new ReassignException($"Topic {missing.Name}: {ErrorNames.Describe(missing.ErrorCode, null)}");
        return metadata.Topics.OrderBy(t => t.Name, StringComparer.Ordinal)
            .SelectMany(t => t.Partitions.OrderBy(p => p.PartitionIndex).Select(p => new Move(t.Name!, p.PartitionIndex, [.. p.ReplicaNodes]))).ToList();
    }

    private static async Task GenerateAsync(KafkaConnection connection, JsonNode json, IReadOnlyList<int> brokers, TextWriter output, CancellationToken cancel)
    {
        var topics = (json["topics"] as JsonArray ?? throw new ReassignException("The topics file has no \"topics\" list."))
            .Select(t => (string)t!["topic"]!).ToList();
        var current = await CurrentAsync(connection, topics, cancel).ConfigureAwait(false);
        var proposed = new List<Move>();
        foreach (var topic in current.GroupBy(m => m.Topic))
        {
            var replication = topic.First().Replicas.Length;
            if (replication > brokers.Count)
                throw new ReassignException($"Replication factor: {replication} larger than available brokers: {brokers.Count}.");
            var start = Random.Shared.Next(brokers.Count);
            proposed.AddRange(topic.Select(m => m with
            {
                Replicas = Enumerable.Range(0, replication).Select(k => brokers[(start + m.Partition + k) % brokers.Count]).ToArray(),
            }));
        }
        output.WriteLine("Current partition replica assignment");
        output.WriteLine(ToJson(current));
        output.WriteLine();
        output.WriteLine("Proposed partition reassignment configuration");
        output.WriteLine(ToJson(proposed));
    }

    private static async Task<int> ExecuteAsync(KafkaConnection connection, List<Move> moves, TextWriter output, TextWriter error, CancellationToken cancel)
    {
        var current = await CurrentAsync(connection, moves.Select(m => m.Topic), cancel).ConfigureAwait(false);
        output.WriteLine("Current partition replica assignment");
        output.WriteLine();
        output.WriteLine(ToJson(current.Where(c => moves.Any(m => m.Topic == c.Topic && m.Partition == c.Partition))));
        output.WriteLine();
        output.WriteLine("Save this to use as the --reassignment-json-file option during rollback");
        return await AlterAsync(connection, moves, cancelling: false, output, error, cancel).ConfigureAwait(false);
    }

    private static Task<int> CancelAsync(KafkaConnection connection, List<Move> moves, TextWriter output, TextWriter error, CancellationToken cancel) =>
        AlterAsync(connection, moves, cancelling: true, output, error, cancel);

    private static async Task<int> AlterAsync(KafkaConnection connection, List<Move> moves, bool cancelling, TextWriter output, TextWriter error, CancellationToken cancel)
    {
        var request = new AlterPartitionReassignmentsRequest();
        foreach (var topic in moves.GroupBy(m => m.Topic))
            request.Topics.Add(new AlterPartitionReassignmentsRequest.ReassignableTopic
            {
                Name = topic.Key,
                Partitions = topic.Select(m => new AlterPartitionReassignmentsRequest.ReassignablePartition
                {
                    PartitionIndex = m.Partition, Replicas = cancelling ? null : [.. m.Replicas],
                }).ToList(),
            });
        var response = await connection.SendAsync<AlterPartitionReassignmentsResponse>(request, cancel).ConfigureAwait(false);
        if (response.ErrorCode != 0)
            throw new ReassignException(ErrorNames.Describe(response.ErrorCode, response.ErrorMessage));
        var results = response.Responses.SelectMany(t => t.Partitions.Select(p => (Name: $"{t.Name}-{p.PartitionIndex}", p.ErrorCode, p.ErrorMessage))).ToList();
        var done = results.Where(r => r.ErrorCode == 0).Select(r => r.Name).ToList();
        if (done.Count > 0)
            output.WriteLine(cancelling
                ? $"Successfully cancelled partition reassignments for: {string.Join(",", done)}"
                : $"Successfully started partition reassignments for {string.Join(",", done)}");
        var failed = results.Where(r => r.ErrorCode != 0).ToList();
        if (failed.Count == 0)
            return ExitCodes.Ok;
        error.WriteLine(cancelling ? "Error cancelling partition reassignment(s):" : "Error reassigning partition(s):");
        foreach (var f in failed)
            error.WriteLine($"{f.Name}: {ErrorNames.Describe(f.ErrorCode, f.ErrorMessage)}");
        return ExitCodes.Failed;
    }

    private static async Task VerifyAsync(KafkaConnection connection, List<Move> moves, TextWriter output, CancellationToken cancel)
    {
        var ongoing = await connection.SendAsync<ListPartitionReassignmentsResponse>(new ListPartitionReassignmentsRequest
        {
            Topics = moves.GroupBy(m => m.Topic).Select(g => new ListPartitionReassignmentsRequest.ListPartitionReassignmentsTopics
            {
                Name = g.Key, PartitionIndexes = g.Select(m => m.Partition).ToList(),
            }).ToList(),
        }, cancel).ConfigureAwait(false);
        if (ongoing.ErrorCode != 0)
            throw new ReassignException(ErrorNames.Describe(ongoing.ErrorCode, ongoing.ErrorMessage));
        var inProgress = ongoing.Topics.SelectMany(t => t.Partitions.Select(p => (t.Name, p.PartitionIndex))).ToHashSet();
        var current = await CurrentAsync(connection, moves.Select(m => m.Topic), cancel).ConfigureAwait(false);
        output.WriteLine("Status of partition reassignment:");
        foreach (var move in moves)
        {
            var now = current.FirstOrDefault(c => c.Topic == move.Topic && c.Partition == move.Partition).Replicas ?? [];
            output.WriteLine(inProgress.Contains((move.Topic, move.Partition))
                ? $"Reassignment of partition {move.Topic}-{move.Partition} is still in progress."
                : now.SequenceEqual(move.Replicas)
                    ? $"Reassignment of partition {move.Topic}-{move.Partition} is completed."
                    : $"There is no active reassignment of partition {move.Topic}-{move.Partition}, but replica set is {string.Join(",", now)} rather than {string.Join(",", move.Replicas)}.");
        }
    }
}
