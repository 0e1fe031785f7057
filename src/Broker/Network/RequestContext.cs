using System.Net;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Network;

/// <summary>What a handler knows about the request besides its body: who sent it, how, and at which version.</summary>
public sealed class RequestContext(RequestHeader header, ApiDescriptor api, string listenerName, EndPoint? remote, long connectionId)
{
    public RequestHeader Header { get; } = header;
    public ApiDescriptor Api { get; } = api;
    public short ApiVersion => Header.RequestApiVersion;
    public string ListenerName { get; } = listenerName;
    public EndPoint? RemoteEndPoint { get; } = remote;
    public long ConnectionId { get; } = connectionId;
    public string ClientId => Header.ClientId ?? "";

    /// <summary>Cancelled once the connection this request came on has closed (the peer left or was closed).</summary>
    public CancellationToken ConnectionClosed { get; init; }

    private List<IDisposable>? _responseResources;

    /// <summary>Set when the handler wants the connection closed instead of its response sent.</summary>
    public string? CloseReason { get; private set; }

    public void CloseInsteadOfResponding(string reason) => CloseReason = reason;

    /// <summary>
    /// Keeps <paramref name="resource"/> (a pooled buffer the response points into) alive until the
    /// response has been encoded, then disposes it.
    /// </summary>
    public void DisposeAfterResponse(IDisposable resource) => (_responseResources ??= []).Add(resource);

    internal void ReleaseResponseResources()
    {
        if (_responseResources is null)
            return;
        foreach (var resource in _responseResources)
            resource.Dispose();
        _responseResources = null;
    }
}
