using Broker.Broker.Tests.EndToEnd;
using Broker.Config;
using Broker.Hosting;
using Broker.Storage;
using k8s.Models;

namespace Broker.Broker.Tests.Kubernetes;

/// <summary>
/// Every overlay of k8s/ renders, validates against the Kubernetes schemas (kubernetes-models and
/// a strict KubernetesClient parse), and says what the broker understands: checks that schemas
/// cannot make, down to loading each pod's resolved environment as the broker would.
/// </summary>
public class ManifestTests
{
    public static TheoryData<string> Overlays => new(RenderedManifests.Overlays);

    private static readonly HashSet<string> ProbePaths = ["/healthz", "/ready", "/ready?safe-to-roll"];

    /// <summary>The configuration pod <paramref name="ordinal"/> of <paramref name="set"/> starts with (zone "a", node IP 192.0.2.10).</summary>
    private static BrokerConfig PodConfig(V1StatefulSet set, int ordinal) =>
        BrokerConfigLoader.Load(new BrokerConfigSources { Environment = StatefulSetPods.Environment(set, ordinal, zone: "a", hostIp: "192.0.2.10") });

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_object_validates_against_the_Kubernetes_schemas(string overlay)
    {
        var rendered = await RenderedManifests.RenderAsync(overlay);
        Assert.NotEmpty(rendered.Objects);
        var result = await ClientProcess.RunAsync("node", [Path.Combine(Clients.RepoRoot, "tests", "Broker.Tests", "Kubernetes", "validate-manifests.js")],
            stdin: rendered.Yaml, environment: new Dictionary<string, string> { ["NODE_PATH"] = Clients.NodeModules });
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(rendered.Objects.Count, result.Lines.Count(l => l.StartsWith("valid ", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Selectors_services_and_budgets_match_the_pods(string overlay)
    {
        var rendered = await RenderedManifests.RenderAsync(overlay);
        Assert.NotEmpty(rendered.StatefulSets);
        foreach (var set in rendered.StatefulSets)
        {
            var labels = set.Spec.Template.Metadata.Labels;
            Assert.True(RenderedManifests.Selects(set.Spec.Selector.MatchLabels, labels), $"{set.Metadata.Name}: selector does not match the template labels");
            Assert.Equal("Parallel", set.Spec.PodManagementPolicy);
            var headless = rendered.Service(set.Spec.ServiceName);
            Assert.Equal("None", headless.Spec.ClusterIP);
            Assert.True(headless.Spec.PublishNotReadyAddresses, "the quorum forms before any pod is ready");
            Assert.True(RenderedManifests.Selects(headless.Spec.Selector, labels), $"{headless.Metadata.Name} does not select {set.Metadata.Name}'s pods");

            var budget = Assert.Single(rendered.Budgets, b => RenderedManifests.Selects(b.Spec.Selector.MatchLabels, labels));
            Assert.Equal("1", budget.Spec.MaxUnavailable.Value);
            var antiAffinity = Assert.Single(set.Spec.Template.Spec.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution);
            Assert.Equal("kubernetes.io/hostname", antiAffinity.PodAffinityTerm.TopologyKey);
            Assert.True(RenderedManifests.Selects(antiAffinity.PodAffinityTerm.LabelSelector.MatchLabels, labels));
            var spread = Assert.Single(set.Spec.Template.Spec.TopologySpreadConstraints);
            Assert.Equal(StatefulSetPods.ZoneLabel, spread.TopologyKey);
            Assert.True(RenderedManifests.Selects(spread.LabelSelector.MatchLabels, labels));
            Assert.Single(set.Spec.VolumeClaimTemplates);
        }
        // Every Service selects pods of one StatefulSet (all of them, or one pod by name) and
        // targets ports those pods have.
        foreach (var service in rendered.Services)
        {
            var set = Assert.Single(rendered.StatefulSets, s => Enumerable.Range(0, s.Spec.Replicas ?? 0)
                .Any(n => RenderedManifests.Selects(service.Spec.Selector, StatefulSetPods.Labels(s, n, "a"))));
            var ports = set.Spec.Template.Spec.Containers.Single().Ports.Select(p => p.Name).ToHashSet();
            foreach (var port in service.Spec.Ports)
                Assert.True(ports.Contains(port.TargetPort.Value), $"{service.Metadata.Name} targets {port.TargetPort.Value}, which {set.Metadata.Name} does not expose");
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Pods_are_non_root_read_only_and_outlive_the_controlled_shutdown(string overlay)
    {
        var rendered = await RenderedManifests.RenderAsync(overlay);
        foreach (var set in rendered.StatefulSets)
        {
            var pod = set.Spec.Template.Spec;
            var container = pod.Containers.Single();
            Assert.True(pod.SecurityContext.RunAsNonRoot);
            Assert.NotEqual(0, pod.SecurityContext.RunAsUser);
            Assert.NotNull(pod.SecurityContext.FsGroup);
            Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
            Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
            Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
            // The manifests leave controlled.shutdown.timeout.ms at its default; the pod must outlive it.
            var shutdownBound = TimeSpan.FromMilliseconds(long.Parse(BrokerConfigDefinitions.Find("controlled.shutdown.timeout.ms")!.DefaultValue!));
            Assert.DoesNotContain(container.Env ?? [], e => e.Name == "KAFKA_CONTROLLED_SHUTDOWN_TIMEOUT_MS");
            Assert.True(pod.TerminationGracePeriodSeconds > shutdownBound.TotalSeconds + 10,
                $"terminationGracePeriodSeconds {pod.TerminationGracePeriodSeconds} leaves no time after the controlled shutdown ({shutdownBound})");
            var mount = Assert.Single(container.VolumeMounts);
            Assert.Equal(set.Spec.VolumeClaimTemplates.Single().Metadata.Name, mount.Name);
            Assert.NotNull(container.Resources.Requests);
            Assert.NotNull(container.Resources.Limits);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Probes_use_the_operations_endpoint_of_the_broker(string overlay)
    {
        var rendered = await RenderedManifests.RenderAsync(overlay);
        var operationsPort = new Uri(BrokerConfigDefinitions.Find("metrics.http.listener")!.DefaultValue!).Port;
        foreach (var set in rendered.StatefulSets)
        {
            var container = set.Spec.Template.Spec.Containers.Single();
            var ports = container.Ports.ToDictionary(p => p.Name, p => p.ContainerPort);
            foreach (var probe in new[] { container.StartupProbe, container.ReadinessProbe, container.LivenessProbe })
            {
                Assert.NotNull(probe);
                Assert.Contains(probe.HttpGet.Path, ProbePaths);
                Assert.Equal(operationsPort, ports[probe.HttpGet.Port.Value]);
            }
            Assert.Equal("/healthz", container.LivenessProbe.HttpGet.Path);
        }
        var brokers = rendered.StatefulSet("kafka").Spec.Template.Spec.Containers.Single();
        Assert.Equal("/ready?safe-to-roll", brokers.ReadinessProbe.HttpGet.Path);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_KAFKA_variable_is_a_broker_config_key(string overlay)
    {
        var rendered = await RenderedManifests.RenderAsync(overlay);
        foreach (var variable in rendered.StatefulSets.SelectMany(s => s.Spec.Template.Spec.Containers.Single().Env))
        {
            if (KafkaEnvironment.ToConfigKey(variable.Name) is not { } key)
                continue;
            Assert.True(BrokerConfigDefinitions.Find(key) is not null || ConfigProviders.IsProviderKey(key), $"{variable.Name} maps to {key}, which the broker does not know");
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Each_pod_loads_its_own_identity_from_the_shared_template(string overlay)
    {
        var rendered = await RenderedManifests.RenderAsync(overlay);
        var nodeIds = new HashSet<int>();
        foreach (var set in rendered.StatefulSets)
        {
            for (var ordinal = 0; ordinal < set.Spec.Replicas; ordinal++)
            {
                var environment = StatefulSetPods.Environment(set, ordinal, zone: $"zone-{ordinal}", hostIp: "192.0.2.10");
                var config = BrokerConfigLoader.Load(new BrokerConfigSources { Environment = environment });
                Assert.Empty(config.UnknownKeys);
                Assert.True(nodeIds.Add(config.NodeId), $"{overlay}: node id {config.NodeId} is used twice");
                Assert.Equal($"zone-{ordinal}", config.BrokerRack);
                Assert.True(environment.ContainsKey(KafkaEnvironment.ClusterIdVariable), "storage is formatted from the manifest's cluster id");
                ClusterId.Validate(environment[KafkaEnvironment.ClusterIdVariable]);
                var host = $"{StatefulSetPods.PodName(set, ordinal)}.{set.Spec.ServiceName}";
                Assert.All(config.ExplicitAdvertisedListeners.Where(l => l.ListenerName != "EXTERNAL"), l => Assert.Equal(host, l.Host));
                // Every voter's name is a pod of some StatefulSet behind its headless Service.
                foreach (var voter in config.QuorumVoters)
                    Assert.Contains(voter.Host, rendered.StatefulSets.SelectMany(s => Enumerable.Range(0, s.Spec.Replicas ?? 0).Select(n => $"{StatefulSetPods.PodName(s, n)}.{s.Spec.ServiceName}")));
            }
        }
        var voters = rendered.StatefulSets.SelectMany(s => Enumerable.Range(0, s.Spec.Replicas ?? 0)
            .Select(n => PodConfig(s, n)))
            .Where(c => c.IsController).Select(c => c.NodeId).Order().ToArray();
        var configured = PodConfig(rendered.StatefulSets.First(), 0).QuorumVoters.Select(v => v.NodeId).Order().ToArray();
        Assert.Equal(configured, voters);
    }

    [Fact]
    public async Task Prod_is_three_nodes_with_replication_factor_3_and_min_insync_2()
    {
        var rendered = await RenderedManifests.RenderAsync("prod");
        Assert.Equal(3, rendered.StatefulSet("kafka").Spec.Replicas);
        var config = PodConfig(rendered.StatefulSet("kafka"), 0);
        Assert.Equal(3, config.DefaultReplicationFactor);
        Assert.Equal(2, config.GetInt("min.insync.replicas"));
        Assert.False(config.AutoCreateTopicsEnable);
        Assert.Equal("kafka", rendered.Service("kafka").Metadata.Name);
    }

    [Fact]
    public async Task Dev_is_one_node_that_is_its_own_quorum()
    {
        var rendered = await RenderedManifests.RenderAsync("dev");
        var set = rendered.StatefulSet("kafka");
        Assert.Equal(1, set.Spec.Replicas);
        var config = PodConfig(set, 0);
        Assert.Equal([0], config.QuorumVoters.Select(v => v.NodeId));
        Assert.Equal(1, config.DefaultReplicationFactor);
    }

    [Fact]
    public async Task External_gives_each_broker_its_own_node_port_and_advertises_it()
    {
        var rendered = await RenderedManifests.RenderAsync("external");
        var set = rendered.StatefulSet("kafka");
        for (var ordinal = 0; ordinal < set.Spec.Replicas; ordinal++)
        {
            var labels = StatefulSetPods.Labels(set, ordinal, "a");
            var service = Assert.Single(rendered.Services, s => s.Spec.Type == "NodePort" && RenderedManifests.Selects(s.Spec.Selector, labels));
            var config = PodConfig(set, ordinal);
            var external = Assert.Single(config.ExplicitAdvertisedListeners, l => l.ListenerName == "EXTERNAL");
            Assert.Equal("192.0.2.10", external.Host);
            Assert.Equal(service.Spec.Ports.Single().NodePort, external.Port);
        }
    }

    [Fact]
    public async Task Split_roles_has_three_controllers_and_brokers_with_distinct_ids()
    {
        var rendered = await RenderedManifests.RenderAsync("split-roles");
        var controllers = rendered.StatefulSet("kafka-controller");
        var brokers = rendered.StatefulSet("kafka");
        Assert.Equal(3, controllers.Spec.Replicas);
        var controller = PodConfig(controllers, 2);
        Assert.True(controller.IsController && !controller.IsBroker);
        Assert.Equal(2, controller.NodeId);
        var broker = PodConfig(brokers, 1);
        Assert.True(broker.IsBroker && !broker.IsController);
        Assert.Equal(101, broker.NodeId);
    }
}
