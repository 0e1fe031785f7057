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

    /// <summary>Raised after each applied batch with the previous and the new image, in order (under the apply lock).</summary>
    public event Action<MetadataImage, MetadataImage>? Changed;

    /// <summary>
    /// Hands <paramref name="handler"/> the current image (as a change from the empty one) and every
    /// later change, with none missed or seen twice although batches keep arriving meanwhile.
    /// </summary>
    public void Subscribe(Action<MetadataImage, MetadataImage> handler)
    {
        lock (_applyLock)
        {
            handler(MetadataImage.Empty(_current.ClusterId), _current);
            Changed += handler;
        }
    }

    public void Apply(IReadOnlyList<IKafkaMessage> records, long lastOffset)
    {
        MetadataImage previous, next;
        lock (_applyLock)
        {
            previous = _current;
            next = MetadataImageBuilder.Apply(previous, records, lastOffset);
            _current = next;
            Changed?.Invoke(previous, next);
        }
    }

    /// <summary>A metadata snapshot replaces the whole image: it is rebuilt from the snapshot's records.</summary>
    public void Replace(IReadOnlyList<IKafkaMessage> records, long lastOffset)
    {
        MetadataImage previous, next;
        lock (_applyLock)
        {
            previous = _current;
            next = MetadataImageBuilder.Apply(MetadataImage.Empty(previous.ClusterId), records, lastOffset);
            _current = next;
            Changed?.Invoke(previous, next);
        }
    }
}
