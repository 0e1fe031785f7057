using System.Net;
using System.Net.Sockets;

namespace Broker.Config;

/// <summary>
/// The rules between keys that Kafka checks before a KRaft node starts. Each failure names the
/// key to change and says why.
/// </summary>
internal static class BrokerConfigValidator
{
    public static void Validate(BrokerConfig config)
    {
        ValidateIdentity(config);
        ValidateListeners(config);
        ValidateControllerListeners(config);
        ValidateQuorum(config);
        ValidateInterBrokerListener(config);
        ValidateLogDirs(config);
    }

    private static void ValidateIdentity(BrokerConfig config)
    {
        if (config.NodeId < 0)
            throw new ConfigException("node.id", config.GetRaw("node.id"),
                "Missing or negative node.id; it is required when process.roles is set (KRaft mode)");
    }

    private static void ValidateListeners(BrokerConfig config)
    {
        CheckUniqueNames("listeners", config.Listeners);
        CheckUniqueNames("advertised.listeners", config.ExplicitAdvertisedListeners);
        CheckUniquePorts(config.Listeners);

        foreach (var (key, endpoints) in new[] { ("listeners", config.Listeners), ("advertised.listeners", config.ExplicitAdvertisedListeners) })
        {
            foreach (var endpoint in endpoints)
            {
                if (!config.ListenerSecurityProtocols.TryGetValue(endpoint.ListenerName, out var protocol))
                    throw new ConfigException(key, Raw(config, key),
                        $"Listener {endpoint.ListenerName} has no entry in {SecurityProtocolMap.Key}; add {endpoint.ListenerName}:PLAINTEXT to it");
                if (!SecurityProtocolMap.SupportedProtocols.Contains(protocol))
                    throw new ConfigException(SecurityProtocolMap.Key, Raw(config, SecurityProtocolMap.Key),
                        $"Listener {endpoint.ListenerName} uses {protocol}, which this broker does not support yet (supported: {string.Join(", ", SecurityProtocolMap.SupportedProtocols)})");
            }
        }

        foreach (var endpoint in config.ExplicitAdvertisedListeners)
        {
            if (config.Listeners.All(l => l.ListenerName != endpoint.ListenerName))
                throw new ConfigException("advertised.listeners", Raw(config, "advertised.listeners"),
                    $"Listener {endpoint.ListenerName} is advertised but not in listeners ({Names(config.Listeners)})");
            if (endpoint.Host is "0.0.0.0" or "::")
                throw new ConfigException("advertised.listeners", Raw(config, "advertised.listeners"),
                    $"Listener {endpoint.ListenerName} advertises the non-routable address {endpoint.Host}; use an address clients can reach");
        }
    }

    private static void ValidateControllerListeners(BrokerConfig config)
    {
        if (config.ControllerListenerNames.Count == 0)
            throw new ConfigException("controller.listener.names", "Must name at least one listener in KRaft mode, e.g. CONTROLLER");
        foreach (var name in config.ControllerListenerNames)
        {
            if (!config.ListenerSecurityProtocols.ContainsKey(name))
                throw new ConfigException("controller.listener.names", Raw(config, "controller.listener.names"),
                    $"Controller listener {name} has no entry in {SecurityProtocolMap.Key}");
        }

        var controllerListeners = config.Listeners.Where(l => config.ControllerListenerNames.Contains(l.ListenerName)).ToArray();
        if (config.IsController && controllerListeners.Length == 0)
            throw new ConfigException("listeners", Raw(config, "listeners"),
                $"A controller must listen on one of controller.listener.names ({string.Join(",", config.ControllerListenerNames)}), e.g. {config.ControllerListenerNames[0]}://localhost:9093");
        if (config.Roles == ProcessRoles.Controller && controllerListeners.Length != config.Listeners.Count)
            throw new ConfigException("listeners", Raw(config, "listeners"),
                "With process.roles=controller, listeners may only hold the listeners named in controller.listener.names");
        if (config.Roles == ProcessRoles.Broker && controllerListeners.Length > 0)
            throw new ConfigException("listeners", Raw(config, "listeners"),
                $"With process.roles=broker, listeners must not hold controller listener {controllerListeners[0].ListenerName}; that listener belongs to the controllers");
        if (config.IsBroker && config.AdvertisedBrokerListeners.Count == 0)
            throw new ConfigException("listeners", Raw(config, "listeners"),
                "A broker needs at least one listener that is not a controller listener, e.g. PLAINTEXT://localhost:9092");
    }

    private static void ValidateQuorum(BrokerConfig config)
    {
        if (config.QuorumVoters.Count == 0 && config.QuorumBootstrapServers.Count == 0)
            throw new ConfigException("controller.quorum.voters",
                "Either controller.quorum.voters (id@host:port,...) or controller.quorum.bootstrap.servers must be set");
        if (config.QuorumVoters.Count == 0)
            return;
        var ids = string.Join(",", config.QuorumVoters.Select(v => v.NodeId));
        var isVoter = config.QuorumVoters.Any(v => v.NodeId == config.NodeId);
        if (config.IsController && !isVoter)
            throw new ConfigException("controller.quorum.voters", Raw(config, "controller.quorum.voters"),
                $"node.id {config.NodeId} is not in controller.quorum.voters (voter ids {ids}): if process.roles contains the 'controller' role, the node id must be one of the voters");
        if (config.Roles == ProcessRoles.Broker && isVoter)
            throw new ConfigException("controller.quorum.voters", Raw(config, "controller.quorum.voters"),
                $"node.id {config.NodeId} is in controller.quorum.voters (voter ids {ids}): if process.roles contains just the 'broker' role, the node id must not be one of the voters");
    }

    private static void ValidateInterBrokerListener(BrokerConfig config)
    {
        if (config.GetRaw("inter.broker.listener.name") is not null && config.GetRaw("security.inter.broker.protocol") is not null)
            throw new ConfigException("inter.broker.listener.name",
                "Only one of inter.broker.listener.name and security.inter.broker.protocol may be set");
        if (!config.IsBroker)
            return;
        var key = config.GetRaw("inter.broker.listener.name") is not null ? "inter.broker.listener.name" : "security.inter.broker.protocol";
        if (config.ControllerListenerNames.Contains(config.InterBrokerListenerName))
            throw new ConfigException(key, config.InterBrokerListenerName,
                "The inter-broker listener must not be a controller listener");
        if (config.AdvertisedBrokerListeners.All(l => l.ListenerName != config.InterBrokerListenerName))
            throw new ConfigException(key, config.InterBrokerListenerName,
                $"The inter-broker listener must be one of the advertised listeners ({Names(config.AdvertisedBrokerListeners)}); set inter.broker.listener.name");
    }

    private static void ValidateLogDirs(BrokerConfig config)
    {
        var key = config.GetRaw("log.dirs") is not null ? "log.dirs" : "log.dir";
        if (config.LogDirs.Count == 0 || config.LogDirs.Any(string.IsNullOrWhiteSpace))
            throw new ConfigException(key, config.GetRaw(key), "Must list at least one directory, without empty entries");
        var full = config.LogDirs.Select(Path.GetFullPath).ToArray();
        if (full.Distinct(StringComparer.Ordinal).Count() != full.Length)
            throw new ConfigException(key, config.GetRaw(key), "Lists the same directory twice");
    }

    private static void CheckUniqueNames(string key, IReadOnlyList<ListenerEndpoint> endpoints)
    {
        var duplicate = endpoints.GroupBy(e => e.ListenerName).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ConfigException(key, string.Join(",", endpoints), $"Listener name {duplicate.Key} is used twice; each listener needs its own name");
    }

    /// <summary>Kafka allows a shared port only for one IPv4 and one IPv6 listener (and port 0 is "any").</summary>
    private static void CheckUniquePorts(IReadOnlyList<ListenerEndpoint> listeners)
    {
        foreach (var group in listeners.Where(l => l.Port != 0).GroupBy(l => l.Port).Where(g => g.Count() > 1))
        {
            var families = group.Select(l => IPAddress.TryParse(l.Host, out var ip) ? ip.AddressFamily : AddressFamily.Unspecified).ToArray();
            var dualStack = families.Length == 2 && families.Contains(AddressFamily.InterNetwork) && families.Contains(AddressFamily.InterNetworkV6);
            if (!dualStack)
                throw new ConfigException("listeners", string.Join(",", listeners),
                    $"Port {group.Key} is used by more than one listener ({Names(group)})");
        }
    }

    private static string Names(IEnumerable<ListenerEndpoint> endpoints) => string.Join(", ", endpoints.Select(e => e.ListenerName));

    private static string Raw(BrokerConfig config, string key) =>
        config.GetRaw(key) ?? BrokerConfigDefinitions.Find(key)?.DefaultValue ?? "";
}
