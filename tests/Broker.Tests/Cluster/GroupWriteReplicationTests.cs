using Broker.Broker.Tests.EndToEnd;
using Broker.Handlers;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Broker.Tests.Cluster;

/// <summary>
/// Issue 15: the group coordinator acknowledges what it stores in __consumer_offsets only once the
/// coordinator partition's ISR has it, as Kafka does. With both followers of that partition frozen
/// (SIGSTOP), a generation's assignment cannot be replicated: SyncGroup answers
/// REBALANCE_IN_PROGRESS after offsets.commit.timeout.ms instead of handing out an assignment that
/// could vanish with the coordinator; once they resume, the group forms and syncs.
/// </summary>
[Collection(FaultSettings.Collection)]
public sealed class GroupWriteReplicationTests
{
    private static readonly byte[] Assignment = [0, 1, 2, 3];

    [Fact]
    public async Task SyncGroup_hands_out_the_assignment_only_once_it_is_replicated_to_the_coordinator_partitions_isr()
    {
        await using var cluster = await E2ECluster.StartCombinedAsync(3, "offsets.commit.timeout.ms=2000", "group.initial.rebalance.delay.ms=0");
        await cluster.WaitForLeaderAsync();
        var group = FaultSettings.Unique("sync");
        await cluster.CoordinatorAsync(group); // creates __consumer_offsets
        await cluster.WaitForFullIsrAsync("__consumer_offsets", 50);
        var coordinator = cluster.Node(await cluster.CoordinatorAsync(group));
        var followers = cluster.Nodes.Where(n => n.Id != coordinator.Id).ToArray();
        // Another group on the same partition syncs first: the coordinator has loaded the partition and serves it.
        var partition = FindCoordinatorHandler.PartitionFor(group, 50);
        var warm = Enumerable.Range(0, 100_000).Select(i => $"warm-{i}").First(g => FindCoordinatorHandler.PartitionFor(g, 50) == partition);
        await cluster.Until(async () =>
        {
            using var connection = await coordinator.ConnectAsync();
            return (await JoinAndSyncAsync(connection, warm)).Error == ErrorCode.None;
        }, $"group {warm} to sync on its coordinator {coordinator.Id}");

        using (var connection = await coordinator.ConnectAsync())
        {
            foreach (var follower in followers)
                follower.Pause();
            try
            {
                var (error, _) = await JoinAndSyncAsync(connection, group);
                Assert.Equal(ErrorCode.RebalanceInProgress, error);
            }
            finally
            {
                foreach (var follower in followers)
                    follower.Resume();
            }
        }

        await cluster.Until(async () =>
        {
            using var connection = await coordinator.ConnectAsync();
            var (error, assignment) = await JoinAndSyncAsync(connection, group);
            return error == ErrorCode.None && assignment.SequenceEqual(Assignment);
        }, "the group to sync once the followers are back");
    }

    /// <summary>A one-member group (JoinGroup v3: no member id round trip) whose leader syncs its own assignment.</summary>
    private static async Task<(ErrorCode Error, byte[] Assignment)> JoinAndSyncAsync(KafkaConnection connection, string group)
    {
        var join = await connection.RequestAsync<JoinGroupResponse>(new JoinGroupRequest
        {
            GroupId = group, SessionTimeoutMs = 10_000, RebalanceTimeoutMs = 10_000, MemberId = "", ProtocolType = "consumer",
            Protocols = [new() { Name = "range", Metadata = [0, 0] }],
        }, 3);
        if (join.ErrorCode != 0)
            return ((ErrorCode)join.ErrorCode, []);
        var sync = await connection.RequestAsync<SyncGroupResponse>(new SyncGroupRequest
        {
            GroupId = group, GenerationId = join.GenerationId, MemberId = join.MemberId,
            Assignments = [new() { MemberId = join.MemberId, Assignment = Assignment }],
        }, 3);
        return ((ErrorCode)sync.ErrorCode, sync.Assignment.ToArray());
    }
}
