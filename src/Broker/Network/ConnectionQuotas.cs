using System.Net;

namespace Broker.Network;

/// <summary>
/// Counts client connections against max.connections and max.connections.per.ip. Connections of
/// exempt (controller) listeners are neither counted nor refused.
/// </summary>
public sealed class ConnectionQuotas(NetworkLimits limits)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, int> _perIp = [];
    private int _total;

    /// <summary>Counts the connection and returns null, or returns why it must be refused.</summary>
    public string? TryAdmit(IPAddress address)
    {
        lock (_gate)
        {
            if (_total >= limits.MaxConnections)
                return $"max.connections ({limits.MaxConnections}) reached";
            var fromAddress = _perIp.GetValueOrDefault(address);
            if (fromAddress >= limits.MaxConnectionsPerIp)
                return $"max.connections.per.ip ({limits.MaxConnectionsPerIp}) reached for {address}";
            _perIp[address] = fromAddress + 1;
            _total++;
            return null;
        }
    }

    public void Release(IPAddress address)
    {
        lock (_gate)
        {
            _total--;
            if (_perIp.TryGetValue(address, out var count) && count > 1)
                _perIp[address] = count - 1;
            else
                _perIp.Remove(address);
        }
    }

    /// <summary>The address a connection counts against: IPv4 clients of a dual-mode socket count as IPv4.</summary>
    public static IPAddress AddressOf(EndPoint? remote)
    {
        var address = (remote as IPEndPoint)?.Address ?? IPAddress.None;
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }
}
