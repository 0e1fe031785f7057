using System.Diagnostics;
using System.Net;
using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Broker.Handlers;

/// <summary>Outcome of one request: a reason to close the connection, or none.</summary>
public readonly record struct DispatchOutcome(string? CloseReason)
{
    public static readonly DispatchOutcome Continue = new(null);
}

/// <summary>
/// Decodes a request frame, finds its handler and encodes the response. Frames that cannot be
/// trusted (unknown API, unsupported version, malformed bytes) close the connection, as Kafka does;
/// ApiVersions is the exception, answered at v0 with the supported ranges (KIP-511).
/// </summary>
public sealed class RequestDispatcher
{
    // Indexed by api key: every non-negative int16, 0..32767, has a slot, so any key read off the wire is in range.
    private readonly IApiHandler?[] _handlers = new IApiHandler?[short.MaxValue + 1];
    private readonly ApiDescriptor?[] _apis = new ApiDescriptor?[short.MaxValue + 1];
    private readonly ILogger _logger;

    public RequestDispatcher(IEnumerable<IApiHandler> handlers, ILogger logger)
    {
        _logger = logger;
        foreach (var api in ApiMessages.All)
            _apis[(short)api.Key] = api;
        foreach (var handler in handlers)
            _handlers[(short)handler.Key] = handler;
    }

    /// <summary>Per-API request counts and times for /metrics; null when the operations endpoint is off.</summary>
    public Operations.Metrics.BrokerMetrics? Metrics { get; init; }

    /// <summary>The APIs this node serves, for ApiVersions: exactly what has a handler.</summary>
    public IEnumerable<(ApiDescriptor Api, IApiHandler Handler)> Served =>
        ApiMessages.All.Where(a => _handlers[(short)a.Key] is not null).Select(a => (a, _handlers[(short)a.Key]!));

    public async ValueTask<DispatchOutcome> DispatchAsync(
        RequestFrame frame, string listenerName, EndPoint? remote, long connectionId, PooledBufferWriter response, CancellationToken cancel,
        CancellationToken connectionClosed = default)
    {
        var key = frame.ApiKey;
        var version = frame.ApiVersion;
        var api = key >= 0 ? _apis[key] : null;
        var handler = key >= 0 ? _handlers[key] : null;
        if (api is null || handler is null)
            return new DispatchOutcome($"unknown or unsupported API key {key}");
        if (!api.Supports(version))
        {
            if (api.Key == ApiKey.ApiVersions)
            {
                ResponseEncoder.Encode(response, api, 0, frame.CorrelationId, ApiVersionsHandler.UnsupportedVersion(this));
                return DispatchOutcome.Continue;
            }
            return new DispatchOutcome($"{api.Name} v{version} is not supported (supported {api.LowestVersion}-{api.HighestVersion})");
        }

        RequestHeader header;
        IApiMessage body;
        try
        {
            (header, body) = frame.Decode(api);
        }
        catch (ProtocolException e)
        {
            return new DispatchOutcome($"malformed {api.Name} v{version} request: {e.Message}");
        }

        var context = new RequestContext(header, api, listenerName, remote, connectionId) { ConnectionClosed = connectionClosed };
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await handler.HandleAsync(context, body, cancel).ConfigureAwait(false);
            if (context.CloseReason is { } reason)
                return new DispatchOutcome(reason);
            if (result is not null)
            {
                try
                {
                    ResponseEncoder.Encode(response, api, version, header.CorrelationId, result);
                }
                catch (ProtocolException e)
                {
                    // An answer this version cannot carry (the request asked for more than its version can say).
                    return new DispatchOutcome($"{api.Name} v{version} response cannot be encoded: {e.Message}");
                }
            }
            return DispatchOutcome.Continue;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return new DispatchOutcome("broker shutting down");
        }
        catch (Exception e)
        {
            _logger.LogError(e, "{Api} v{Version} handler failed for client {ClientId}", api.Name, version, header.ClientId);
            return new DispatchOutcome($"internal error handling {api.Name}");
        }
        finally
        {
            context.ReleaseResponseResources();
            Metrics?.Requested(key, api.Name, started);
        }
    }
}
