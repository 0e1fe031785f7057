using Broker.Protocol.Wire;

namespace Broker.Protocol;

/// <summary>
/// One Kafka API as this build knows it: the version range its definitions declare, where flexible
/// encoding starts, and factories for its request and response bodies.
/// </summary>
public sealed class ApiDescriptor(
    ApiKey key, string name, short lowestVersion, short highestVersion, short flexibleFrom,
    Func<IApiMessage> newRequest, Func<IApiMessage> newResponse)
{
    public ApiKey Key { get; } = key;
    public string Name { get; } = name;
    public short LowestVersion { get; } = lowestVersion;
    public short HighestVersion { get; } = highestVersion;
    /// <summary>First flexible version, or -1 when no version is flexible.</summary>
    public short FlexibleFrom { get; } = flexibleFrom;

    public bool IsFlexible(short version) => FlexibleFrom >= 0 && version >= FlexibleFrom;
    public bool Supports(short version) => version >= LowestVersion && version <= HighestVersion;

    public IApiMessage NewRequest() => newRequest();
    public IApiMessage NewResponse() => newResponse();

    /// <summary>Request header v2 goes with flexible versions, v1 otherwise (ControlledShutdown v0 used v0).</summary>
    public short RequestHeaderVersion(short version) =>
        IsFlexible(version) ? (short)2 : Key == ApiKey.ControlledShutdown && version == 0 ? (short)0 : (short)1;

    /// <summary>
    /// Response header v1 goes with flexible versions, except ApiVersions: a client must be able to
    /// read its response before it knows which versions the broker speaks (KIP-511).
    /// </summary>
    public short ResponseHeaderVersion(short version) =>
        Key != ApiKey.ApiVersions && IsFlexible(version) ? (short)1 : (short)0;
}
