using System.Net;
using Broker.Network;

namespace Broker.Handlers;

/// <summary>The client host a group member is shown with: "/address", as Kafka prints it.</summary>
public static class GroupClientHost
{
    public static string Of(RequestContext context) =>
        context.RemoteEndPoint is IPEndPoint ip ? "/" + ip.Address : "/" + context.RemoteEndPoint;
}
