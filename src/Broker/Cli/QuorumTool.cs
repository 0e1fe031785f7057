using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Cli;

/// <summary>
/// <c>quorum describe</c>: the metadata quorum as its leader reports it (DescribeQuorum), printed
/// the way <c>kafka-metadata-quorum describe --status / --replication</c> prints it.
/// </summary>
public static class QuorumTool
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(QuorumCommand command, TextWriter output, TextWriter error)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        try
        {
            await using var connection = await KafkaConnection.ConnectAsync(command.Servers, "broker-quorum-cli", deadline.Token).ConfigureAwait(false);
            var cluster = await connection.SendAsync<DescribeClusterResponse>(new DescribeClusterRequest(), deadline.Token).ConfigureAwait(false);
            var quorum = await DescribeAsync(connection, deadline.Token).ConfigureAwait(false);
            if (command.Replication)
                PrintReplication(quorum, output);
            else
                PrintStatus(cluster.ClusterId, quorum, output);
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is KafkaClientException or ProtocolException)
        {
            error.WriteLine($"Error while describing the quorum: {e.Message}");
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            error.WriteLine($"Error while describing the quorum: no answer within {Timeout.TotalSeconds:0} s.");
            return ExitCodes.Failed;
        }
    }

    /// <summary>Asks until a leader answers: during an election the quorum has none for a moment.</summary>
    private static async Task<DescribeQuorumResponse.PartitionData> DescribeAsync(KafkaConnection connection, CancellationToken cancel)
    {
        while (true)
        {
            var response = await connection.SendAsync<DescribeQuorumResponse>(new DescribeQuorumRequest
            {
                Topics = [new() { TopicName = "__cluster_metadata", Partitions = [new() { PartitionIndex = 0 }] }],
            }, cancel).ConfigureAwait(false);
            var error = (ErrorCode)response.ErrorCode;
            var partition = response.Topics.SingleOrDefault()?.Partitions.SingleOrDefault();
            if (error == ErrorCode.None && partition is not null && partition.ErrorCode == 0)
                return partition;
            var code = error != ErrorCode.None ? error : (ErrorCode)(partition?.ErrorCode ?? (short)ErrorCode.UnknownServerError);
            if (code is not (ErrorCode.NotController or ErrorCode.NotLeaderOrFollower or ErrorCode.RequestTimedOut))
                throw new KafkaClientException($"DescribeQuorum failed: {ErrorNames.Of((short)code)} {response.ErrorMessage}");
            await Task.Delay(100, cancel).ConfigureAwait(false);
        }
    }

    private static DescribeQuorumResponse.ReplicaState Leader(DescribeQuorumResponse.PartitionData quorum) =>
        quorum.CurrentVoters.FirstOrDefault(v => v.ReplicaId == quorum.LeaderId)
        ?? throw new KafkaClientException($"The leader {quorum.LeaderId} is not among the voters.");

    public static void PrintStatus(string clusterId, DescribeQuorumResponse.PartitionData quorum, TextWriter output)
    {
        var leader = Leader(quorum);
        var laggard = quorum.CurrentVoters.MinBy(v => v.LogEndOffset)!;
        var lagTimeMs = laggard.ReplicaId == leader.ReplicaId ? 0
            : laggard.LastCaughtUpTimestamp >= 0 && leader.LastCaughtUpTimestamp >= 0 ? leader.LastCaughtUpTimestamp - laggard.LastCaughtUpTimestamp : -1;
        output.WriteLine($"{"ClusterId:",-24}{clusterId}");
        output.WriteLine($"{"LeaderId:",-24}{quorum.LeaderId}");
        output.WriteLine($"{"LeaderEpoch:",-24}{quorum.LeaderEpoch}");
        output.WriteLine($"{"HighWatermark:",-24}{quorum.HighWatermark}");
        output.WriteLine($"{"MaxFollowerLag:",-24}{leader.LogEndOffset - laggard.LogEndOffset}");
        output.WriteLine($"{"MaxFollowerLagTimeMs:",-24}{lagTimeMs}");
        output.WriteLine($"{"CurrentVoters:",-24}[{string.Join(",", quorum.CurrentVoters.Select(v => v.ReplicaId).Order())}]");
        output.WriteLine($"{"CurrentObservers:",-24}[{string.Join(",", quorum.Observers.Select(o => o.ReplicaId).Order())}]");
    }

    public static void PrintReplication(DescribeQuorumResponse.PartitionData quorum, TextWriter output)
    {
        var leader = Leader(quorum);
        var rows = new List<string[]> { new[] { "NodeId", "LogEndOffset", "Lag", "LastFetchTimestamp", "LastCaughtUpTimestamp", "Status" } };
        IEnumerable<(DescribeQuorumResponse.ReplicaState Replica, string Status)> replicas =
        [
            (leader, "Leader"),
            .. quorum.CurrentVoters.Where(v => v.ReplicaId != leader.ReplicaId).OrderBy(v => v.ReplicaId).Select(v => (v, "Follower")),
            .. quorum.Observers.OrderBy(o => o.ReplicaId).Select(o => (o, "Observer")),
        ];
        foreach (var (replica, status) in replicas)
            rows.Add([
                replica.ReplicaId.ToString(), replica.LogEndOffset.ToString(), (leader.LogEndOffset - replica.LogEndOffset).ToString(),
                replica.LastFetchTimestamp.ToString(), replica.LastCaughtUpTimestamp.ToString(), status,
            ]);
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length) + 2).ToArray();
        foreach (var row in rows)
            output.WriteLine(string.Concat(row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd());
    }
}
