namespace Broker.Groups;

/// <summary>
/// What a JoinGroup asks, independent of its wire version. <paramref name="SupportsSkipAssignment"/>:
/// the client reads SkipAssignment (v9+, KIP-814), so a static leader can be told it leads without assigning.
/// </summary>
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
    string ClientHost,
    bool SupportsSkipAssignment = false);
