using k8s.Models;

namespace Broker.Broker.Tests.Kubernetes;

/// <summary>
/// What the StatefulSet controller and the kubelet make of a StatefulSet's template for pod N:
/// the pod's name, labels (pod-index, pod-name), hostname and subdomain, its claim
/// (<c>data-kafka-N</c>), and the environment its container sees once the downward API is resolved.
/// </summary>
public static class StatefulSetPods
{
    public const string PodIndexLabel = "apps.kubernetes.io/pod-index";
    public const string PodNameLabel = "statefulset.kubernetes.io/pod-name";
    public const string ZoneLabel = "topology.kubernetes.io/zone";

    public static string PodName(V1StatefulSet set, int ordinal) => $"{set.Metadata.Name}-{ordinal}";

    public static Dictionary<string, string> Labels(V1StatefulSet set, int ordinal, string zone) =>
        new(set.Spec.Template.Metadata.Labels)
        {
            [PodIndexLabel] = ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [PodNameLabel] = PodName(set, ordinal),
            [ZoneLabel] = zone,
        };

    /// <summary>The container's environment as the kubelet resolves it (fieldRef values filled in).</summary>
    public static Dictionary<string, string> Environment(V1StatefulSet set, int ordinal, string zone, string hostIp)
    {
        var labels = Labels(set, ordinal, zone);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in set.Spec.Template.Spec.Containers.Single().Env)
            environment[variable.Name] = variable.ValueFrom is null ? variable.Value : FieldValue(variable.ValueFrom.FieldRef.FieldPath, set, ordinal, labels, hostIp);
        return environment;
    }

    /// <summary>The downward-API fields the manifests use; any other is a test failure, not a guess.</summary>
    public static string FieldValue(string fieldPath, V1StatefulSet set, int ordinal, IReadOnlyDictionary<string, string> labels, string hostIp)
    {
        const string labelPrefix = "metadata.labels['";
        if (fieldPath == "metadata.name")
            return PodName(set, ordinal);
        if (fieldPath == "status.hostIP")
            return hostIp;
        if (fieldPath.StartsWith(labelPrefix, StringComparison.Ordinal) && fieldPath.EndsWith("']", StringComparison.Ordinal))
            return labels.GetValueOrDefault(fieldPath[labelPrefix.Length..^2], "");
        throw new InvalidOperationException($"The manifests use the downward-API field {fieldPath}, which this emulation does not know");
    }
}
