using System.Text.Json.Nodes;
using Broker.Cli;
using Broker.Protocol;
using Broker.Protocol.Compression;
using Broker.Protocol.Messages;
using Broker.Protocol.Records;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>
/// Batches in __consumer_offsets that do not decode (written before produce validation existed, or
/// damaged on disk) cost the group coordinator one log line each at load, never the node.
/// </summary>
public sealed class GroupLogLoadTests(ITestOutputHelper output) : EndToEndTest(output)
{
    [Fact]
    public async Task A_node_whose_offsets_partition_holds_garbage_and_a_gzip_bomb_starts_and_keeps_its_committed_offsets()
    {
        await using var broker = Watch(await E2EBroker.StartAsync("offsets.topic.num.partitions=1"));
        var topic = UniqueTopic("group-load");
        var group = UniqueTopic("group-load-group");
        await broker.CreateTopicAsync(topic, 2);
        await CommitAsync(broker, group, topic, partition: 0, offset: 7);
        await broker.KillAsync();

        var partitionDir = Path.Combine(broker.DataDir, "__consumer_offsets-0");
        var segment = Assert.Single(Directory.GetFiles(partitionDir, "*.log"));
        var (next, epoch) = EndOf(File.ReadAllBytes(segment));
        var garbage = ProduceValidationTests.BadBatch("record count above the records present");
        var bomb = GzipBomb();
        Stamp(garbage, next, epoch);
        Stamp(bomb, next + new RecordBatchHeader(garbage).LastOffsetDelta + 1, epoch);
        using (var file = new FileStream(segment, FileMode.Append))
        {
            file.Write(garbage);
            file.Write(bomb);
        }
        // Without its indexes the segment is recovered, so the appended batches become part of the log.
        foreach (var index in Directory.GetFiles(partitionDir).Where(f => f.EndsWith(".index") || f.EndsWith(".timeindex")))
            File.Delete(index);

        // The offline verifier finds exactly the batch a consumer could not read; the bomb does decode
        // within the verifier's (consumer-sized) budget, only not within the group load's.
        var output = new StringWriter();
        Assert.Equal(1, await CliApp.RunAsync(["log", "verify", broker.DataDir], new Dictionary<string, string>(), output, TextWriter.Null));
        var problems = output.ToString().Split('\n').Where(l => l.Contains("__consumer_offsets-0")).ToList();
        Assert.Single(problems);
        Assert.Contains("1 undecodable", output.ToString());

        await broker.RestartAsync();
        await CommitAsync(broker, group, topic, partition: 1, offset: 3);
        var committed = await FetchCommittedAsync(broker, group, topic);
        Assert.Equal([7L, 3L], committed);
        var skipped = broker.Logs.Split('\n').Count(l => l.Contains("Skipping an undecodable batch"));
        Assert.Equal(2, skipped);
    }

    private static async Task CommitAsync(E2EBroker broker, string group, string topic, int partition, long offset)
    {
        var line = new JsonObject { ["topic"] = topic, ["partition"] = partition, ["offset"] = offset }.ToJsonString() + "\n";
        var result = Clients.Succeeded(await ScriptedClient.ConfluentKafka.RunAsync(broker, "standalone-commit", topic, line, "--group", group), broker);
        Assert.Null((string?)JsonNode.Parse(result.Lines.First())!["commitError"]);
    }

    private static async Task<long[]> FetchCommittedAsync(E2EBroker broker, string group, string topic)
    {
        using var connection = await broker.ConnectAsync();
        var response = await connection.RequestAsync<OffsetFetchResponse>(new OffsetFetchRequest
        {
            GroupId = group,
            Topics = [new() { Name = topic, PartitionIndexes = [0, 1] }],
        }, 5);
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        return Assert.Single(response.Topics).Partitions.OrderBy(p => p.PartitionIndex).Select(p => p.CommittedOffset).ToArray();
    }

    /// <summary>The offset after the segment's last batch and that batch's leader epoch.</summary>
    private static (long Next, int Epoch) EndOf(byte[] segment)
    {
        long next = 0;
        var epoch = 0;
        foreach (var bounds in new RecordBatchWalker(segment, allowTruncatedTail: true))
        {
            var header = new RecordBatchHeader(segment.AsSpan(bounds.Position, bounds.Length));
            (next, epoch) = (header.LastOffset + 1, header.PartitionLeaderEpoch);
        }
        return (next, epoch);
    }

    private static void Stamp(byte[] batch, long baseOffset, int epoch)
    {
        RecordBatchPatch.SetBaseOffset(batch, baseOffset);
        RecordBatchPatch.SetPartitionLeaderEpoch(batch, epoch);
    }

    /// <summary>One keyed record of 64 MiB of zeros, gzipped to well under a megabyte: past the load's decompression cap.</summary>
    private static byte[] GzipBomb()
    {
        using var builder = new RecordBatchBuilder(CompressionType.Gzip, initialCapacity: 64 << 20);
        builder.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "k"u8.ToArray(), new byte[64 << 20]);
        using var built = builder.Build();
        var batch = built.WrittenSpan.ToArray();
        Assert.True(batch.Length < 1 << 20, $"the bomb is {batch.Length} bytes");
        return batch;
    }
}
