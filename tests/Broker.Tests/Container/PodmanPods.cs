using Broker.Broker.Tests.Kubernetes;
using k8s;
using k8s.Models;

namespace Broker.Broker.Tests.Container;

/// <summary>
/// Turns a rendered StatefulSet into the Pods its controller would create (kafka-N: labels,
/// hostname and subdomain, claim data-kafka-N) in a form <c>podman kube play</c> (4.3) runs, which
/// has no StatefulSets. What podman cannot express is changed here, and only this:
/// <list type="bullet">
/// <item>status.hostIP (not a podman downward-API field) becomes the value the kubelet would give;
/// metadata.name and metadata.labels[…] stay downward-API references, which podman resolves.</item>
/// <item>probes are dropped: podman would run them as healthchecks with curl inside the broker
/// image, which has none; the tests ask the same paths from the clients container.</item>
/// <item>container ports are dropped (podman publishes every containerPort on the host), except
/// the external one, published on 127.0.0.1 at the NodePort its Service gives that broker.</item>
/// <item>scheduling fields (affinity, spread) are dropped: there is one node.</item>
/// </list>
/// </summary>
public static class PodmanPods
{
    public static string PodYaml(V1StatefulSet set, int ordinal, string image, string hostIp, int? externalHostPort)
    {
        var template = set.Spec.Template;
        var name = StatefulSetPods.PodName(set, ordinal);
        var claim = set.Spec.VolumeClaimTemplates.Single().Metadata.Name;
        var source = template.Spec.Containers.Single();
        var container = new V1Container
        {
            Name = source.Name,
            Image = image,
            ImagePullPolicy = "Never",
            Env = source.Env.Select(e => e.ValueFrom?.FieldRef?.FieldPath == "status.hostIP" ? new V1EnvVar { Name = e.Name, Value = hostIp } : e).ToList(),
            SecurityContext = source.SecurityContext,
            VolumeMounts = source.VolumeMounts,
            Ports = externalHostPort is { } port
                ? [new V1ContainerPort { Name = "external", ContainerPort = source.Ports.Single(p => p.Name == "external").ContainerPort, HostIP = "127.0.0.1", HostPort = port }]
                : null,
        };
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta { Name = name, Labels = StatefulSetPods.Labels(set, ordinal, $"zone-{ordinal}") },
            Spec = new V1PodSpec
            {
                Hostname = name,
                Subdomain = set.Spec.ServiceName,
                SecurityContext = template.Spec.SecurityContext,
                TerminationGracePeriodSeconds = template.Spec.TerminationGracePeriodSeconds,
                RestartPolicy = "Always",
                Containers = [container],
                Volumes = [new V1Volume { Name = claim, PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = $"{claim}-{name}" } }],
            },
        };
        return KubernetesYaml.Serialize(pod);
    }
}
