using Broker.Config;
using Broker.Raft.Core;

namespace Broker.Controller;

/// <summary>
/// The active controller as Raft leadership says: the quorum leader, reached at its endpoint in
/// <c>controller.quorum.voters</c>. This node counts as the active controller only once it has
/// caught up with the log and activated (<see cref="SetLocal"/>); until then, and during
/// elections, there is none and callers answer NOT_CONTROLLER so that clients retry.
/// </summary>
public sealed class RaftActiveController(BrokerConfig config, Func<LeaderAndEpoch> leader, Func<ControllerAddress?> localAddress) : IActiveController
{
    private readonly Dictionary<int, ControllerAddress> _voters =
        config.QuorumVoters.ToDictionary(v => v.NodeId, v => new ControllerAddress(v.NodeId, v.Host, v.Port));
    private volatile bool _local;

    public bool IsLocal => _local;

    public ControllerAddress? Current
    {
        get
        {
            if (_local)
                return localAddress();
            var known = leader().LeaderId;
            if (known < 0 || known == config.NodeId)
                return null;
            return _voters.GetValueOrDefault(known);
        }
    }

    /// <summary>Set once this node's controller may write (after activation), cleared when its leadership ends.</summary>
    public void SetLocal(bool local) => _local = local;
}
