using System.Net.Sockets;
using Broker.Cli;
using Broker.Config;
using Broker.Protocol;
using Broker.Protocol.Wire;
using Broker.Raft.Client;
using Microsoft.Extensions.Logging;

namespace Broker.Controller;

/// <summary>
/// Raft RPCs to the other quorum members, over their controller listeners as given in
/// <c>controller.quorum.voters</c>. Each destination has two connections: one for fetches (which
/// the leader may hold for a long poll) and one for elections (Vote, BeginQuorumEpoch,
/// EndQuorumEpoch), so a parked fetch never delays a vote. A failed connection is dropped and
/// re-made by the next send; Raft's timers do the retrying.
/// </summary>
public sealed class QuorumTransport(BrokerConfig config, ILogger logger) : IRaftTransport, IAsyncDisposable
{
    private readonly Dictionary<int, QuorumVoter> _voters = config.QuorumVoters.ToDictionary(v => v.NodeId);
    private readonly Dictionary<(int, bool), Lane> _lanes = new();

    public async Task<IApiMessage> SendAsync(int destinationId, IApiMessage request, CancellationToken cancel)
    {
        if (!_voters.TryGetValue(destinationId, out var voter))
            throw new IOException($"node {destinationId} is not in controller.quorum.voters");
        var fetching = (ApiKey)request.ApiKey is ApiKey.Fetch or ApiKey.FetchSnapshot;
        Lane lane;
        lock (_lanes)
        {
            if (!_lanes.TryGetValue((destinationId, fetching), out lane!))
                _lanes[(destinationId, fetching)] = lane = new Lane(voter, $"raft-{config.NodeId}-to-{destinationId}", logger);
        }
        var response = await lane.SendAsync(request, cancel).ConfigureAwait(false);
        if (response is Protocol.Messages.FetchResponse { ErrorCode: (short)ErrorCode.InconsistentClusterId }
            or Protocol.Messages.VoteResponse { ErrorCode: (short)ErrorCode.InconsistentClusterId }
            or Protocol.Messages.BeginQuorumEpochResponse { ErrorCode: (short)ErrorCode.InconsistentClusterId })
            ClusterIdRefusedBy = destinationId;
        return response;
    }

    /// <summary>A quorum member that answered INCONSISTENT_CLUSTER_ID: this node belongs to another cluster (null until one does).</summary>
    public int? ClusterIdRefusedBy { get; private set; }

    public async ValueTask DisposeAsync()
    {
        Lane[] lanes;
        lock (_lanes) lanes = _lanes.Values.ToArray();
        foreach (var lane in lanes)
            await lane.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>One connection to one voter; requests go one at a time.</summary>
    private sealed class Lane(QuorumVoter voter, string clientId, ILogger logger) : IAsyncDisposable
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private KafkaConnection? _connection;

        public async Task<IApiMessage> SendAsync(IApiMessage request, CancellationToken cancel)
        {
            await _gate.WaitAsync(cancel).ConfigureAwait(false);
            try
            {
                _connection ??= await KafkaConnection.ConnectAsync([(voter.Host, voter.Port)], clientId, cancel).ConfigureAwait(false);
                return await _connection.SendAsync<IApiMessage>(request, cancel).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or KafkaClientException or ProtocolException or OperationCanceledException)
            {
                // A cancelled exchange leaves the stream mid-frame: the connection cannot be reused.
                await DropAsync().ConfigureAwait(false);
                if (e is not OperationCanceledException)
                    logger.LogDebug("Quorum peer {Node} at {Host}:{Port} unreachable: {Error}", voter.NodeId, voter.Host, voter.Port, e.Message);
                throw;
            }
            finally
            {
                _gate.Release();
            }
        }

        private async Task DropAsync()
        {
            if (_connection is not null)
                await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }

        public async ValueTask DisposeAsync()
        {
            await _gate.WaitAsync().ConfigureAwait(false);
            await DropAsync().ConfigureAwait(false);
        }
    }
}
