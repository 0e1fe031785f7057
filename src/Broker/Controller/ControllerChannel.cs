using System.Net.Sockets;
using Broker.Cli;
using Broker.Protocol;
using Broker.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Broker.Controller;

/// <summary>The active controller could not be reached or did not answer in time.</summary>
public sealed class ControllerUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// One connection from this node to the active controller's controller listener, for broker
/// lifecycle RPCs and for forwarding admin requests. Requests go one at a time; the connection is
/// re-made when it fails or when the active controller changes.
/// </summary>
public sealed class ControllerChannel(IActiveController active, string clientId, TimeSpan requestTimeout, ILogger logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private KafkaConnection? _connection;
    private ControllerAddress? _connectedTo;

    /// <summary>Sends at <paramref name="version"/> when given (a forwarded request keeps its client's version), else at the highest common one.</summary>
    public async Task<TResponse> SendAsync<TResponse>(IApiMessage request, CancellationToken cancel, short version = -1)
        where TResponse : class, IApiMessage
    {
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            var target = active.Current ?? throw new ControllerUnavailableException("No active controller is known yet.");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(requestTimeout);
            try
            {
                if (_connection is null || _connectedTo != target)
                {
                    await DropAsync().ConfigureAwait(false);
                    _connection = await KafkaConnection.ConnectAsync([(target.Host, target.Port)], clientId, timeout.Token).ConfigureAwait(false);
                    _connectedTo = target;
                }
                return version >= 0
                    ? await _connection.SendAsync<TResponse>(request, version, timeout.Token).ConfigureAwait(false)
                    : await _connection.SendAsync<TResponse>(request, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or KafkaClientException or ProtocolException
                                          || (e is OperationCanceledException && !cancel.IsCancellationRequested))
            {
                await DropAsync().ConfigureAwait(false);
                logger.LogDebug("Controller {Controller} at {Host}:{Port} unavailable: {Error}", target.NodeId, target.Host, target.Port, e.Message);
                throw new ControllerUnavailableException(
                    $"The controller {target.NodeId} at {target.Host}:{target.Port} is not available: {e.Message}", e);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task DropAsync()
    {
        if (_connection is not null)
            await _connection.DisposeAsync().ConfigureAwait(false);
        _connection = null;
        _connectedTo = null;
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        await DropAsync().ConfigureAwait(false);
    }
}
