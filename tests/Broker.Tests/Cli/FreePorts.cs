using System.Net;
using System.Net.Sockets;

namespace Broker.Broker.Tests.Cli;

/// <summary>Loopback ports the OS just handed out, so parallel tests and a local broker do not collide.</summary>
internal static class FreePorts
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
