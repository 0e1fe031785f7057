using Broker.Protocol.Wire;

namespace Broker.Metadata;

/// <summary>
/// Holds the current <see cref="MetadataImage"/> and tells subscribers when a committed batch
/// changes it. Readers take <see cref="Current"/> once per request and use that snapshot throughout.
/// </summary>
public sealed class MetadataCache(string clusterId)
{
    private volatile MetadataImage _current = MetadataImage.Empty(clusterId);
    private readonly object _applyLock = new();

    public MetadataImage Current => _current;

    /// <summary>Raised after each applied batch with the previous and the new image.</summary>
    public event Action<MetadataImage, MetadataImage>? Changed;

    public void Apply(IReadOnlyList<IKafkaMessage> records, long lastOffset)
    {
        MetadataImage previous, next;
        lock (_applyLock)
        {
            previous = _current;
            next = MetadataImageBuilder.Apply(previous, records, lastOffset);
            _current = next;
        }
        Changed?.Invoke(previous, next);
    }
}
