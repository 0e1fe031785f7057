using Broker.Broker.Tests.EndToEnd;
using Broker.Broker.Tests.Storage;
using Broker.Protocol;
using Xunit.Abstractions;

namespace Broker.Broker.Tests.Cluster;

/// <summary>
/// Issue 16, disk full in a cluster: one node's log directory, a small tmpfs, fills up while an
/// idempotent acks=all producer runs. The node reports the directory offline in its heartbeat, the
/// controller moves its leaderships to the other in-sync replicas and takes it out of every ISR, the
/// node answers KAFKA_STORAGE_ERROR for the directory's partitions, and the producer carries on with
/// the new leaders. Restarted with space freed, the node catches up and every acknowledged record is
/// present exactly once on every replica.
/// </summary>
[Collection(FaultSettings.Collection)]
public sealed class LogDirFailureTests(ITestOutputHelper output)
{
    private const int Partitions = 3;
    private const int Failing = 3;

    [Fact]
    public async Task A_full_log_dir_moves_its_partitions_away_the_producer_carries_on_and_a_restart_keeps_every_acknowledged_record()
    {
        using var mountPoint = new TempDirectory();
        using var metadataDir = new TempDirectory();
        Tmpfs.Mount(mountPoint.Path, "64m");
        try
        {
            await using var cluster = await E2ECluster.StartCombinedAsync(3,
                id => id == Failing ? [$"log.dirs={mountPoint.Path}", $"metadata.log.dir={metadataDir.Path}"] : [], FaultSettings.FastFencing);
            await cluster.WaitForLeaderAsync();
            var topic = FaultSettings.Unique("logdir");
            await cluster.CreateTopicAsync(topic, Partitions);
            var leaders = await cluster.WaitForFullIsrAsync(topic, Partitions);
            Assert.Contains(Failing, leaders);
            using var producer = AckedProducer.Start(cluster.Bootstrap, topic, Partitions);
            var started = FaultSettings.NowMs();
            for (var p = 0; p < Partitions; p++)
            {
                var partition = p;
                await producer.WaitForAckAsync(a => a.Partition == partition && a.AtMs >= started, TimeSpan.FromSeconds(30), $"on partition {partition} before the disk fills");
            }

            var filler = Path.Combine(mountPoint.Path, "filler");
            var filled = Tmpfs.FillUp(filler);
            await cluster.Until(async () => await ClusterPartitions.ViewAsync(cluster.Node(1), topic) is { } view
                    && view.All(p => p.Leader != Failing && !p.Isr.Contains(Failing)),
                $"node {Failing}'s leaderships and ISR memberships to move away", TimeSpan.FromSeconds(60));
            var movedAt = FaultSettings.NowMs();
            Assert.True(cluster.Node(Failing).IsAlive, cluster.Logs);
            using (var connection = await cluster.Node(Failing).ConnectAsync())
                Assert.Equal((short)ErrorCode.KafkaStorageError, (await RawProduce.SendAsync(connection, topic, RawProduce.Batch(["direct"]))).ErrorCode);
            for (var p = 0; p < Partitions; p++)
            {
                var partition = p;
                await producer.WaitForAckAsync(a => a.Partition == partition && a.AtMs > movedAt, TimeSpan.FromSeconds(30), $"on partition {partition} after the log dir failed");
            }

            await producer.StopAsync();
            Assert.True(producer.Problems.Count == 0, $"The producer reported errors: {producer.Summary()}");
            await cluster.Node(Failing).KillAsync();
            File.Delete(filler);
            await cluster.Node(Failing).RestartAsync();
            await cluster.WaitForFullIsrAsync(topic, Partitions);
            await ReplicaChecks.AssertConvergedAsync(cluster, topic, Partitions);
            var read = await AckedRecordsCheck.ConsumeAllAsync(cluster.Bootstrap, topic);
            var acks = producer.Acks;
            output.WriteLine($"filled {filled} bytes of node {Failing}'s log dir; {acks.Count} records acknowledged, {AckedRecordsCheck.Lost(acks, read)} lost");
            Assert.True(AckedRecordsCheck.Problems(acks, read) is null, AckedRecordsCheck.Problems(acks, read));
        }
        finally
        {
            Tmpfs.Unmount(mountPoint.Path);
        }
    }
}
