using Broker.Network;
using Broker.Protocol;
using Broker.Protocol.Messages;

namespace Broker.Handlers;

/// <summary>
/// ApiVersions: advertises exactly the APIs that have a handler, at the versions they serve.
/// </summary>
public sealed class ApiVersionsHandler(Func<RequestDispatcher> dispatcher, FeatureLevels features)
    : ApiHandler<ApiVersionsRequest, ApiVersionsResponse>
{
    public override ApiKey Key => ApiKey.ApiVersions;

    protected override ValueTask<ApiVersionsResponse?> HandleAsync(RequestContext context, ApiVersionsRequest request, CancellationToken cancel)
    {
        var response = Build(dispatcher(), ErrorCode.None);
        foreach (var feature in features.Supported)
        {
            // Clients reading v3 (Java's AdminClient before 3.9) reject a range that starts at 0, so as
            // Kafka (KAFKA-17492) such features are listed from v4 on only.
            if (context.ApiVersion < 4 && feature.Min == 0)
                continue;
            response.SupportedFeatures.Add(new ApiVersionsResponse.SupportedFeatureKey
            {
                Name = feature.Name, MinVersion = feature.Min, MaxVersion = feature.Max,
            });
        }
        response.FinalizedFeaturesEpoch = features.Epoch;
        foreach (var (name, level) in features.Finalized)
            response.FinalizedFeatures.Add(new ApiVersionsResponse.FinalizedFeatureKey
            {
                Name = name, MinVersionLevel = level, MaxVersionLevel = level,
            });
        return ValueTask.FromResult<ApiVersionsResponse?>(response);
    }

    /// <summary>The v0 answer to an ApiVersions version we do not know: the error plus our ranges.</summary>
    public static ApiVersionsResponse UnsupportedVersion(RequestDispatcher dispatcher) =>
        Build(dispatcher, ErrorCode.UnsupportedVersion);

    private static ApiVersionsResponse Build(RequestDispatcher dispatcher, ErrorCode error)
    {
        var response = new ApiVersionsResponse { ErrorCode = (short)error };
        foreach (var (api, handler) in dispatcher.Served)
            response.ApiKeys.Add(new ApiVersionsResponse.ApiVersion
            {
                ApiKey = (short)api.Key,
                MinVersion = AdvertisedLowestVersion(api, handler),
                MaxVersion = api.HighestVersion,
            });
        return response;
    }

    /// <summary>
    /// Produce is advertised from v0 although v0-v2 requests are refused: librdkafka (up to its fix
    /// for issue #4956; kcat and confluent-kafka 2.0 included) sends gzip, snappy and lz4 batches
    /// uncompressed unless the broker's Produce range contains v0. Kafka 4.0 does the same (KAFKA-18659);
    /// clients pick the highest common version, so nobody is steered to the refused ones.
    /// </summary>
    private static short AdvertisedLowestVersion(ApiDescriptor api, IApiHandler handler) =>
        api.Key == ApiKey.Produce ? (short)0 : handler.LowestVersion;
}
