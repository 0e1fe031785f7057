using System.Net;
using System.Net.Sockets;

namespace Broker.Broker.Tests.Cli;

/// <summary>
/// Ports for test servers, handed out below the kernel's ephemeral range (32768-60999 here): a port
/// the kernel picked for us in that range can be taken again by any outgoing connection before the
/// server binds it ("Address already in use"). Below it only listeners compete, and each candidate
/// is checked free; the sequence starts at a random point so parallel test runs rarely meet.
/// </summary>
internal static class FreePorts
{
    private const int First = 10000;
    private const int Count = 20000;
    private static int _next = Random.Shared.Next(Count);

    public static int Next()
    {
        for (var attempt = 0; attempt < Count; attempt++)
        {
            var port = First + (int)((uint)Interlocked.Increment(ref _next) % Count);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken by another listener: try the next one.
            }
        }
        throw new InvalidOperationException($"No free port in {First}-{First + Count - 1}");
    }
}
