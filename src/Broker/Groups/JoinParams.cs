namespace Broker.Groups;

/// <summary>What a JoinGroup asks, independent of its wire version.</summary>
public sealed record JoinParams(
    string GroupId,
    string MemberId,
    string? GroupInstanceId,
    int SessionTimeoutMs,
    int RebalanceTimeoutMs,
    string ProtocolType,
    IReadOnlyList<(string Name, byte[] Metadata)> Protocols,
    bool RequireKnownMemberId,
    string ClientId,
    string ClientHost);
