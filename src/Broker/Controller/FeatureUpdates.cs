using Broker.Handlers;
using Broker.Metadata;
using Broker.Protocol;
using Broker.Protocol.Messages;
using Broker.Protocol.MetadataRecords;

namespace Broker.Controller;

/// <summary>One feature's outcome in an UpdateFeatures request.</summary>
public sealed record FeatureUpdateResult(string Feature, ErrorCode Error, string? Message);

/// <summary>
/// UpdateFeatures decided against the image: each requested level must be one this controller and
/// every registered broker (as it registered) supports; lowering a level needs a downgrade type, and metadata.version
/// cannot be lowered at all (as in Kafka 4). kraft.version belongs to the Raft quorum.
/// </summary>
public static class FeatureUpdates
{
    public const sbyte Upgrade = 1, SafeDowngrade = 2, UnsafeDowngrade = 3;

    public static List<FeatureUpdateResult> Plan(
        MetadataImage image, UpdateFeaturesRequest request, short version, FeatureLevels supported, List<VersionedRecord> records)
    {
        var results = new List<FeatureUpdateResult>();
        foreach (var update in request.FeatureUpdates)
        {
            var type = version == 0 ? (update.AllowDowngrade ? SafeDowngrade : Upgrade) : update.UpgradeType;
            var error = Check(image, update.Feature, update.MaxVersionLevel, type, supported);
            results.Add(new FeatureUpdateResult(update.Feature, error is null ? ErrorCode.None : ErrorCode.InvalidUpdateVersion, error));
        }
        if (!request.ValidateOnly && results.All(r => r.Error == ErrorCode.None))
            foreach (var update in request.FeatureUpdates)
                records.Add(VersionedRecord.Latest(new FeatureLevelRecord { Name = update.Feature, FeatureLevel = update.MaxVersionLevel }));
        return results;
    }

    private static string? Check(MetadataImage image, string feature, short level, sbyte type, FeatureLevels supported)
    {
        if (feature == "kraft.version")
            return "kraft.version is changed by the controller quorum (KIP-853), not by UpdateFeatures.";
        var range = supported.Supported.FirstOrDefault(f => f.Name == feature);
        if (range.Name is null)
            return $"Invalid update version {level} for feature {feature}. The controller does not support the given feature.";
        var current = image.Features.GetValueOrDefault(feature, (short)0);
        if (type is not (Upgrade or SafeDowngrade or UnsafeDowngrade))
            return $"Unknown upgrade type {type}.";
        if (level < current)
        {
            if (type == Upgrade)
                return $"Invalid update version {level} for feature {feature}. Can't downgrade the version of this feature without setting the upgrade type to either safe or unsafe downgrade.";
            if (feature == FeatureLevels.MetadataVersion)
                return "Unsafe metadata.version downgrades are not supported.";
        }
        if (level == 0 && feature == FeatureLevels.MetadataVersion)
            return "metadata.version cannot be removed.";
        if (level != 0 && (level < range.Min || level > range.Max))
            return $"Invalid update version {level} for feature {feature}. The controller only supports versions {range.Min}-{range.Max}.";
        foreach (var broker in image.Brokers.Values.OrderBy(b => b.Id))
        {
            var (min, max) = broker.SupportedFeatures.TryGetValue(feature, out var r) ? r : ((short)0, (short)0);
            if (level != 0 && (level < min || level > max))
                return $"Invalid update version {level} for feature {feature}. Broker {broker.Id} only supports versions {min}-{max}.";
        }
        return null;
    }

    public static UpdateFeaturesResponse Response(IReadOnlyList<FeatureUpdateResult> results, short version)
    {
        var response = new UpdateFeaturesResponse { ErrorMessage = null };
        if (version >= 2)
        {
            // v2 drops per-feature results: the first failure is the request's error.
            if (results.FirstOrDefault(r => r.Error != ErrorCode.None) is { } failed)
            {
                response.ErrorCode = (short)failed.Error;
                response.ErrorMessage = failed.Message;
            }
            return response;
        }
        foreach (var r in results)
            response.Results.Add(new UpdateFeaturesResponse.UpdatableFeatureResult
            {
                Feature = r.Feature, ErrorCode = (short)r.Error, ErrorMessage = r.Message,
            });
        return response;
    }
}
