using Broker.Protocol.Messages;

namespace Broker.Groups;

/// <summary>
/// One member of a classic group: who it is, the protocols it offers, its assignment, when its
/// session ends, and the JoinGroup or SyncGroup it is waiting on (answered when the group moves on).
/// </summary>
public sealed class GroupMember(string memberId, string? groupInstanceId, string clientId, string clientHost)
{
    public string MemberId { get; set; } = memberId;
    public string? GroupInstanceId { get; } = groupInstanceId;
    public string ClientId { get; set; } = clientId;
    public string ClientHost { get; set; } = clientHost;
    public int SessionTimeoutMs { get; set; }
    public int RebalanceTimeoutMs { get; set; }
    public string ProtocolType { get; set; } = "";

    /// <summary>Protocol names with their metadata, in the member's order of preference.</summary>
    public IReadOnlyList<(string Name, byte[] Metadata)> Protocols { get; set; } = [];

    public byte[] Assignment { get; set; } = [];

    /// <summary>Time (ms) after which the member is gone unless it heartbeats or has a request waiting.</summary>
    public long SessionDeadline { get; set; }

    public TaskCompletionSource<JoinGroupResponse>? PendingJoin { get; set; }
    public TaskCompletionSource<SyncGroupResponse>? PendingSync { get; set; }

    public bool IsStatic => GroupInstanceId is not null;

    public byte[]? MetadataFor(string? protocol)
    {
        foreach (var (name, metadata) in Protocols)
            if (name == protocol)
                return metadata;
        return null;
    }

    /// <summary>Same protocols with the same metadata, in the same order: a rejoin that changes nothing.</summary>
    public bool SameProtocols(IReadOnlyList<(string Name, byte[] Metadata)> protocols)
    {
        if (protocols.Count != Protocols.Count)
            return false;
        for (var i = 0; i < protocols.Count; i++)
            if (protocols[i].Name != Protocols[i].Name || !protocols[i].Metadata.AsSpan().SequenceEqual(Protocols[i].Metadata))
                return false;
        return true;
    }

    public void CompleteJoin(JoinGroupResponse response)
    {
        var pending = PendingJoin;
        PendingJoin = null;
        pending?.TrySetResult(response);
    }

    public void CompleteSync(SyncGroupResponse response)
    {
        var pending = PendingSync;
        PendingSync = null;
        pending?.TrySetResult(response);
    }
}
