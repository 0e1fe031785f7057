namespace Broker.Handlers;

/// <summary>A feature this node can run at, from Min to Max level.</summary>
public readonly record struct SupportedFeature(string Name, short Min, short Max);

/// <summary>
/// Feature versions: what this build supports and what the cluster finalized (from FeatureLevelRecords
/// in the metadata log). metadata.version 25 is 4.0-IV3, the level this build writes its records at.
/// </summary>
public sealed class FeatureLevels
{
    public const string MetadataVersion = "metadata.version";
    public const short LatestMetadataVersion = 25;
    /// <summary>3.3-IV3: the oldest metadata.version a Kafka 4.0 controller accepts.</summary>
    public const short MinimumMetadataVersion = 7;

    public IReadOnlyList<SupportedFeature> Supported { get; } =
    [
        new(MetadataVersion, MinimumMetadataVersion, LatestMetadataVersion),
        new("kraft.version", 0, 1),
    ];

    private volatile IReadOnlyDictionary<string, short> _finalized = new Dictionary<string, short> { [MetadataVersion] = LatestMetadataVersion };

    public IReadOnlyDictionary<string, short> Finalized => _finalized;

    /// <summary>Offset of the metadata record that last changed a level; -1 before any.</summary>
    public long Epoch { get; private set; } = -1;

    public void Set(IReadOnlyDictionary<string, short> levels, long epoch)
    {
        _finalized = levels;
        Epoch = epoch;
    }
}
