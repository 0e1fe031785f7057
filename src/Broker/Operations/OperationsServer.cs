using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Broker.Operations;

/// <summary>The configured address could not be bound (usually: another process holds the port).</summary>
public sealed class OperationsBindException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// The operations HTTP endpoint on its own port, served by Kestrel (ASP.NET Core's slim builder:
/// no routing, no MVC, no configuration files; NativeAOT-compatible). It lives inside the broker
/// process and never touches process-wide signals: the broker's own shutdown stops it.
/// </summary>
public sealed class OperationsServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly OperationsAddress _address;

    private OperationsServer(WebApplication app, OperationsAddress address)
    {
        _app = app;
        _address = address;
    }

    /// <summary>The bound port (the configured one, or the one picked for port 0).</summary>
    public int Port { get; private set; }

    public static async Task<OperationsServer> StartAsync(OperationsAddress address, RequestDelegate handler, ILoggerFactory loggerFactory, CancellationToken cancel)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        // The broker's own log lines; Kestrel speaks only about problems.
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingLoggerProvider(loggerFactory));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // A failed start is reported once, by the broker (OperationsBindException), not again by the host.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        // The broker handles SIGTERM itself (controlled shutdown first); the host must not.
        builder.Services.AddSingleton<IHostLifetime, PassiveHostLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (address.Host.Length == 0 || address.Host == "0.0.0.0")
                kestrel.ListenAnyIP(address.Port);
            else if (IPAddress.TryParse(address.Host, out var ip))
                kestrel.Listen(ip, address.Port);
            else if (address.Host == "localhost")
                kestrel.ListenLocalhost(address.Port);
            else
                kestrel.Listen(Dns.GetHostAddresses(address.Host)[0], address.Port);
        });
        var app = builder.Build();
        app.Run(handler);
        var server = new OperationsServer(app, address);
        try
        {
            await app.StartAsync(cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new OperationsBindException($"{OperationsAddress.ConfigKey} {address}: cannot listen ({e.Message}); " +
                $"choose another port or set {OperationsAddress.ConfigKey}= (empty) to turn the endpoint off", e);
        }
        server.Port = BoundPort(app) ?? address.Port;
        return server;
    }

    public override string ToString() => $"http://{Config.HostPort.Format(_address.Host, Port)}";

    private static int? BoundPort(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            .Select(a => BindingAddress.Parse(a).Port).FirstOrDefault();

    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
