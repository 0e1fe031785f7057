namespace Broker.Raft.Core;

/// <summary>KIP-595 states plus KIP-996's Prospective (pre-vote) state.</summary>
public enum RaftRole
{
    /// <summary>Knows the epoch but no leader; may have voted in it.</summary>
    Unattached,
    /// <summary>Asking voters whether it could win, without bumping the epoch (KIP-996).</summary>
    Prospective,
    /// <summary>Bumped the epoch, voted for itself, asking for votes.</summary>
    Candidate,
    Leader,
    Follower,
    /// <summary>Was leader of the current epoch and stepped down (or restarted); never leads it again.</summary>
    Resigned,
}
