using Broker.Config;

namespace Broker.Controller;

/// <summary>
/// The active controller until Raft leadership decides it: a controller node is active itself; a
/// broker-only node uses the first voter of <c>controller.quorum.voters</c>, else the first
/// <c>controller.quorum.bootstrap.servers</c> entry. Correct for the single-voter quorum the file
/// metadata log implements; the Raft-backed implementation replaces it.
/// </summary>
public sealed class StaticActiveController : IActiveController
{
    public StaticActiveController(BrokerConfig config, Func<ControllerAddress?>? localAddress = null)
    {
        IsLocal = config.IsController;
        if (IsLocal)
        {
            var voter = config.QuorumVoters.FirstOrDefault(v => v.NodeId == config.NodeId);
            _local = localAddress ?? (() => voter is null ? null : new ControllerAddress(voter.NodeId, voter.Host, voter.Port));
        }
        else if (config.QuorumVoters.Count > 0)
        {
            var voter = config.QuorumVoters[0];
            _remote = new ControllerAddress(voter.NodeId, voter.Host, voter.Port);
        }
        else if (config.QuorumBootstrapServers.Count > 0)
        {
            var server = config.QuorumBootstrapServers[0];
            _remote = new ControllerAddress(-1, server.Host, server.Port);
        }
    }

    private readonly Func<ControllerAddress?>? _local;
    private readonly ControllerAddress? _remote;

    public bool IsLocal { get; }

    public ControllerAddress? Current => IsLocal ? _local!() : _remote;
}
