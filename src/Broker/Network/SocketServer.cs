using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Broker.Config;
using Broker.Handlers;
using Microsoft.Extensions.Logging;

namespace Broker.Network;

/// <summary>
/// Binds one socket per configured listener and runs a <see cref="ClientConnection"/> per accepted
/// client. Stopping closes the listeners first, lets each connection finish the request it is
/// handling, then closes what is left.
/// </summary>
public sealed class SocketServer : IAsyncDisposable
{
    private readonly Func<string, RequestDispatcher> _dispatcherFor;
    private readonly int _maxRequestSize;
    private readonly ILogger _logger;
    private readonly List<(ListenerEndpoint Endpoint, Socket Socket)> _listeners = [];
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _acceptLoops = [];
    private long _nextConnectionId;

    public SocketServer(RequestDispatcher dispatcher, int maxRequestSize, ILogger logger)
        : this(_ => dispatcher, maxRequestSize, logger)
    {
    }

    /// <param name="dispatcherFor">The dispatcher of each listener name: controller listeners serve other APIs than broker listeners.</param>
    public SocketServer(Func<string, RequestDispatcher> dispatcherFor, int maxRequestSize, ILogger logger)
    {
        _dispatcherFor = dispatcherFor;
        _maxRequestSize = maxRequestSize;
        _logger = logger;
    }

    /// <summary>The address each listener actually bound (port 0 in the config picks a free port).</summary>
    public IReadOnlyDictionary<string, IPEndPoint> BoundEndpoints =>
        _listeners.ToDictionary(l => l.Endpoint.ListenerName, l => (IPEndPoint)l.Socket.LocalEndPoint!);

    public void Start(IEnumerable<ListenerEndpoint> endpoints)
    {
        foreach (var endpoint in endpoints)
        {
            var socket = Bind(endpoint);
            _listeners.Add((endpoint, socket));
            _acceptLoops.Add(AcceptLoopAsync(endpoint.ListenerName, socket));
            _logger.LogInformation("Listening for {Listener} on {Address}", endpoint.ListenerName, socket.LocalEndPoint);
        }
    }

    private static Socket Bind(ListenerEndpoint endpoint)
    {
        IPAddress address;
        if (endpoint.BindsAllInterfaces)
            address = IPAddress.IPv6Any;
        else if (!IPAddress.TryParse(endpoint.Host, out address!))
            address = Dns.GetHostAddresses(endpoint.Host).OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).First();
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (address.Equals(IPAddress.IPv6Any))
            socket.DualMode = true;
        // No ReuseAddress: on Linux .NET maps it to SO_REUSEPORT too, which would let a second broker
        // bind the same port and silently split connections with the first.
        socket.Bind(new IPEndPoint(address, endpoint.Port));
        socket.Listen(512);
        return socket;
    }

    private async Task AcceptLoopAsync(string listenerName, Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested || e is ObjectDisposedException)
                    return;
                _logger.LogWarning("Accept failed on {Listener}: {Error}", listenerName, e.Message);
                continue;
            }
            client.NoDelay = true;
            var id = Interlocked.Increment(ref _nextConnectionId);
            var connection = new ClientConnection(client, id, listenerName, _dispatcherFor(listenerName), _maxRequestSize, _logger);
            _connections[id] = Task.Run(async () =>
            {
                try
                {
                    await connection.RunAsync(_stopping.Token).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    _logger.LogError(e, "Connection {Id} failed", id);
                }
                finally
                {
                    client.Dispose();
                    _connections.TryRemove(id, out _);
                }
            });
        }
    }

    public async Task StopAsync(TimeSpan grace)
    {
        if (_stopping.IsCancellationRequested)
            return;
        // Cancel first: an accept loop that sees its socket disposed must know it is stopping.
        _stopping.Cancel();
        foreach (var (_, socket) in _listeners)
            socket.Dispose();
        var all = Task.WhenAll(_connections.Values.Concat(_acceptLoops));
        await Task.WhenAny(all, Task.Delay(grace)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _stopping.Dispose();
    }
}
