using Broker.Broker.Tests.Storage;
using Broker.Log;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.EndToEnd;

/// <summary>
/// A log directory on a small tmpfs fills up: Produce is answered KAFKA_STORAGE_ERROR (the connection
/// stays open), the directory takes no more appends, and once space is freed a restart serves every
/// acknowledged record and nothing undecodable.
/// </summary>
public sealed class DiskFullTests(ITestOutputHelper output) : EndToEndTest(output)
{
    [Fact]
    public async Task A_full_log_dir_answers_kafka_storage_error_and_a_restart_after_freeing_space_keeps_every_acknowledged_record()
    {
        using var mountPoint = new TempDirectory();
        using var metadataDir = new TempDirectory();
        Tmpfs.Mount(mountPoint.Path, "12m");
        try
        {
            // Space given back after the failure, as an operator would free it.
            var filler = Path.Combine(mountPoint.Path, "filler");
            await File.WriteAllBytesAsync(filler, new byte[4 << 20]);
            await using var broker = Watch(await E2EBroker.StartAsync($"log.dirs={mountPoint.Path}", $"metadata.log.dir={metadataDir.Path}"));
            var topic = UniqueTopic("disk-full");
            var other = UniqueTopic("disk-full-other");
            await broker.CreateTopicAsync(topic, 1);
            await broker.CreateTopicAsync(other, 1);

            using var connection = await broker.ConnectAsync();
            var acknowledged = new List<string>();
            ProduceResponse.PartitionProduceResponse response;
            var value = new string('v', 512 * 1024);
            for (var i = 0; ; i++)
            {
                Assert.True(i < 64, "12 MB of tmpfs never filled up");
                response = await RawProduce.SendAsync(connection, topic, RawProduce.Batch([$"{i}:{value}"]));
                if (response.ErrorCode != (short)ErrorCode.None)
                    break;
                acknowledged.Add($"{i}:{value}");
            }
            Assert.Equal((short)ErrorCode.KafkaStorageError, response.ErrorCode);
            Assert.NotEmpty(acknowledged);
            // The directory is offline: small appends to any of its partitions are refused too, on the same connection.
            Assert.Equal((short)ErrorCode.KafkaStorageError, (await RawProduce.SendAsync(connection, other, RawProduce.Batch(["small"]))).ErrorCode);
            var metadata = await connection.RequestAsync<MetadataResponse>(new MetadataRequest { Topics = null }, 12);
            Assert.Contains(metadata.Topics, t => t.Name == topic);
            Assert.Single(broker.Logs.Split('\n'), l => l.Contains("Error while appending"));

            await broker.KillAsync();
            File.Delete(filler);
            await broker.RestartAsync();
            var consumed = Clients.ParseKcatJson(await Clients.KcatAsync(broker, null, "-C", "-t", topic, "-e", "-J", "-q"));
            Assert.Equal(acknowledged, consumed.Select(c => c.Value!));
            await Clients.KcatAsync(broker, "after\n", "-P", "-t", topic);
            await broker.StopAsync();
            Assert.Empty(LogVerifier.Verify([mountPoint.Path]).Problems);
        }
        finally
        {
            Tmpfs.Unmount(mountPoint.Path);
        }
    }

    [Fact]
    public async Task A_full_metadata_log_dir_stops_the_node_with_a_clear_error_and_a_restart_after_freeing_space_keeps_every_acknowledged_record()
    {
        using var mountPoint = new TempDirectory();
        using var logDir = new TempDirectory();
        Tmpfs.Mount(mountPoint.Path, "16m");
        try
        {
            await using var broker = Watch(await E2EBroker.StartAsync($"log.dirs={logDir.Path}", $"metadata.log.dir={mountPoint.Path}"));
            var topic = UniqueTopic("metadata-full");
            await broker.CreateTopicAsync(topic, 1);
            var acknowledged = Enumerable.Range(0, 20).Select(i => $"v{i}").ToList();
            using (var connection = await broker.ConnectAsync())
                foreach (var value in acknowledged)
                    Assert.Equal((short)ErrorCode.None, (await RawProduce.SendAsync(connection, topic, RawProduce.Batch([value]))).ErrorCode);

            var filler = Path.Combine(mountPoint.Path, "filler");
            Tmpfs.FillUp(filler);
            // Metadata writes until one needs a page the disk does not have: Kafka treats a metadata
            // log I/O error as fatal, and so does the node.
            try
            {
                using var connection = await broker.ConnectAsync();
                for (var i = 0; i < 500 && broker.ProcessAlive; i++)
                    await connection.RequestAsync<CreateTopicsResponse>(new CreateTopicsRequest
                    {
                        Topics = [new CreateTopicsRequest.CreatableTopic { Name = UniqueTopic($"filler-{i}"), NumPartitions = 1, ReplicationFactor = 1 }],
                    }, 7);
            }
            catch (Exception e) when (e is IOException or TimeoutException)
            {
                // The node went down before answering.
            }
            var exitCode = await broker.WaitForExitAsync();
            Assert.NotEqual(0, exitCode);
            Assert.Contains("No space left on device", broker.Logs);
            Assert.Contains("crit:", broker.Logs);

            File.Delete(filler);
            await broker.RestartAsync();
            var consumed = Clients.ParseKcatJson(await Clients.KcatAsync(broker, null, "-C", "-t", topic, "-e", "-J", "-q"));
            Assert.Equal(acknowledged, consumed.Select(c => c.Value!));
            await Clients.KcatAsync(broker, "after\n", "-P", "-t", topic);
            await broker.StopAsync();
        }
        finally
        {
            Tmpfs.Unmount(mountPoint.Path);
        }
    }
}
