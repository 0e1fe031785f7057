namespace Broker.Controller;

/// <summary>Where a node reaches the active controller: its id and controller-listener address.</summary>
public sealed record ControllerAddress(int NodeId, string Host, int Port);

/// <summary>
/// Who the active controller is, as this node currently knows it. Requests that change metadata run
/// on the local <see cref="QuorumController"/> when <see cref="IsLocal"/>, and are forwarded to
/// <see cref="Current"/> otherwise. With Raft, leadership changes answer differently over time;
/// callers ask again for every request.
/// </summary>
public interface IActiveController
{
    /// <summary>True when this node's controller is the active one and may write metadata.</summary>
    bool IsLocal { get; }

    /// <summary>The active controller (this node too, when local); null while none is known (an election).</summary>
    ControllerAddress? Current { get; }
}
