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
    private readonly NetworkLimits _limits;
    private readonly ConnectionQuotas _quotas;
    private readonly ILogger _logger;
    private readonly List<(ListenerEndpoint Endpoint, Socket Socket)> _listeners = [];
    private readonly ConcurrentDictionary<long, (ClientConnection Connection, Task Run)> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _acceptLoops = [];
    private readonly Task _idleSweeper;
    private long _nextConnectionId;

    /// <param name="dispatcherFor">The dispatcher of each listener name: controller listeners serve other APIs than broker listeners.</param>
    public SocketServer(Func<string, RequestDispatcher> dispatcherFor, NetworkLimits limits, ILogger logger)
    {
        _dispatcherFor = dispatcherFor;
        _limits = limits;
        _quotas = new ConnectionQuotas(limits);
        _logger = logger;
        Memory = new RequestMemoryBudget(limits.QueuedMaxRequestBytes, limits.MaxRequestSize);
        _idleSweeper = limits.ConnectionsMaxIdleMs >= 0 ? SweepIdleAsync(limits.ConnectionsMaxIdleMs) : Task.CompletedTask;
    }

    /// <summary>The memory of requests being read or handled (queued.max.request.bytes).</summary>
    public RequestMemoryBudget Memory { get; }

    /// <summary>Connections open now, on every listener.</summary>
    public int ConnectionCount => _connections.Count;

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
            Admit(client, listenerName);
        }
    }

    /// <summary>Runs a connection for <paramref name="client"/>, or closes it at once when it is over a connection limit.</summary>
    private void Admit(Socket client, string listenerName)
    {
        var counted = !_limits.ExemptListeners.Contains(listenerName);
        var address = ConnectionQuotas.AddressOf(client.RemoteEndPoint);
        if (counted && _quotas.TryAdmit(address) is { } refusal)
        {
            _logger.LogWarning("Refused a connection from {Remote} on {Listener}: {Reason}", client.RemoteEndPoint, listenerName, refusal);
            client.Dispose();
            return;
        }
        client.NoDelay = true;
        var id = Interlocked.Increment(ref _nextConnectionId);
        var connection = new ClientConnection(client, id, listenerName, _dispatcherFor(listenerName), _limits, Memory, _logger, _stopping.Token);
        // Registered before it starts, so a connection that ends at once is not left behind in the table.
        var start = new Task<Task>(async () =>
        {
            try
            {
                await connection.RunAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Connection {Id} failed", id);
            }
            finally
            {
                _connections.TryRemove(id, out _);
                connection.Dispose();
                if (counted)
                    _quotas.Release(address);
            }
        });
        _connections[id] = (connection, start.Unwrap());
        start.Start(TaskScheduler.Default);
    }

    /// <summary>
    /// Closes connections quiet for connections.max.idle.ms, checking a few times per period so a
    /// connection lives at most about a quarter longer than the setting. One line per sweep, however many it closed.
    /// </summary>
    private async Task SweepIdleAsync(long idleMs)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Clamp(idleMs / 4, 10, 10_000)));
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                var cutoff = Environment.TickCount64 - idleMs;
                var closed = 0;
                foreach (var (_, (connection, _)) in _connections)
                {
                    if (connection.CloseIfIdleSince(cutoff))
                        closed++;
                }
                if (closed > 0)
                    _logger.LogInformation("Closed {Count} connections idle for more than connections.max.idle.ms ({IdleMs} ms)", closed, idleMs);
            }
        }
        catch (OperationCanceledException)
        {
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
        var all = Task.WhenAll(_connections.Values.Select(c => c.Run).Concat(_acceptLoops).Append(_idleSweeper));
        await Task.WhenAny(all, Task.Delay(grace)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _stopping.Dispose();
    }
}
