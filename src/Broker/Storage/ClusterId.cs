using Broker.Protocol.Wire;

namespace Broker.Storage;

/// <summary>Cluster and directory ids: Kafka UUIDs rendered as 22 characters of URL-safe base64.</summary>
public static class ClusterId
{
    public static string Generate() => Uuid.Random().ToString();

    /// <summary>Throws when <paramref name="clusterId"/> is not what <c>random-uuid</c> prints.</summary>
    public static void Validate(string clusterId)
    {
        if (!Uuid.TryParse(clusterId, out var id) || id.IsZero)
            throw new StorageException(
                $"Cluster id '{clusterId}' is not a valid Kafka UUID (22 characters of URL-safe base64, e.g. from 'random-uuid').");
    }
}
